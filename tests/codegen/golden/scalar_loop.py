def d_scalar_loop(x, *, d_out=1.0):
    x_stack = []
    for _ in range(20):
        sin_x = math.sin(x)
        sin_x_times_x = sin_x * x
        times_x = 0.5 * x
        x_stack.append(x)
        x = sin_x_times_x + times_x
    d_x = d_out
    for _ in reversed(range(20)):
        x = x_stack.pop()
        d_sin_x_times_x = d_x
        d_x = d_x * 0.5
        sin_x = math.sin(x)
        d_sin_x = d_sin_x_times_x * x
        d_x = d_x + d_sin_x_times_x * sin_x
        d_x = d_x + d_sin_x * math.cos(x)
    return d_x,
