# expect: dq_dx is wrong | the local derivative on the edge x -> q
def forward_backward(x, y, z):
    q = x + y
    f = q * z
    dq_dx, dq_dy = -1.0, 1.0
    df_dq, df_dz = z, q
    return dict(
        q=q,
        f=f,
        dq_dx=dq_dx,
        dq_dy=dq_dy,
        df_dq=df_dq,
        df_dz=df_dz,
        df_dx=df_dq * dq_dx,
        df_dy=df_dq * dq_dy,
        df_dz_total=df_dz,
    )
