def d_scalar_loop(x, *, d_out=1.0):
    x_stack = []
    for _ in range(20):
        x_stack.append(x)
        x = math.sin(x) * x + 0.5 * x
    d_x = d_out
    for _ in reversed(range(20)):
        x = x_stack.pop()
        d_x = d_x * (0.5 + math.sin(x) + x * math.cos(x))
    return (d_x,)
