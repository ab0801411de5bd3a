"""Exercise chain_rule: forward and backward through f(x, y, z) = (x + y) z by hand.

Check it with:  python -m microgradnn exercises check chain_rule chain_rule.py
"""


def forward_backward(x, y, z):
    # forward pass
    q = None  # TODO: the sum node
    f = None  # TODO: the output

    # local derivatives (one per edge of the graph)
    dq_dx = None  # TODO: ∂q/∂x
    dq_dy = None  # TODO: ∂q/∂y
    df_dq = None  # TODO: ∂f/∂q
    df_dz = None  # TODO: ∂f/∂z

    # backward pass: the chain rule
    df_dx = None  # TODO: ∂f/∂x
    df_dy = None  # TODO: ∂f/∂y
    df_dz_total = None  # TODO: the gradient that reaches z

    return {
        "q": q,
        "f": f,
        "dq_dx": dq_dx,
        "dq_dy": dq_dy,
        "df_dq": df_dq,
        "df_dz": df_dz,
        "df_dx": df_dx,
        "df_dy": df_dy,
        "df_dz_total": df_dz_total,
    }
