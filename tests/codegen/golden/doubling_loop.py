def d_doubling_loop(a, *, d_out=1.0):
    b = a * 2
    n_loop = 0
    while np.linalg.norm(b) < 1000:
        n_loop += 1
        b = b * 2
    if np.sum(b) > 0:
        d_b = d_out
    else:
        d_b = d_out * 100
    for _ in range(n_loop):
        d_b = d_b * 2
    d_a = d_b * 2
    return (d_a,)
