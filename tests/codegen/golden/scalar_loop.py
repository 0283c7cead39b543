def d_scalar_loop(x, *, d_out=1.0):
    x_stack = []
    for _ in range(20):
        sin_x = math.sin(x)
        x_stack.append(x)
        x = sin_x * x + 0.5 * x
    d_x = d_out
    for _ in reversed(range(20)):
        x = x_stack.pop()
        d_sin_x_times_x = d_x
        d_x = d_x * 0.5
        sin_x = math.sin(x)
        d_x = d_x + d_sin_x_times_x * sin_x
        d_x = d_x + d_sin_x_times_x * x * math.cos(x)
    return d_x,
