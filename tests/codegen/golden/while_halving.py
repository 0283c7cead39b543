def d_while_halving(x, *, d_out=1.0):
    n = 0
    n_loop = 0
    while x > 0.1:
        n_loop += 1
        x = x * 0.5
        n = n + 1
    d_x = d_out * n
    for _ in range(n_loop):
        d_x = d_x * 0.5
    return (d_x,)
