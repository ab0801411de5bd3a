# expect: df_dq is wrong | OTHER factor, z
def forward_backward(x, y, z):
    q = x + y
    f = q * z
    df_dq, df_dz = q, z
    return dict(
        q=q,
        f=f,
        dq_dx=1.0,
        dq_dy=1.0,
        df_dq=df_dq,
        df_dz=df_dz,
        df_dx=df_dq,
        df_dy=df_dq,
        df_dz_total=df_dz,
    )
