def d_float_math(x, y, *, d_out=1.0):
    exp_x = math.exp(x)
    cos_y = math.cos(y)
    x_times_x = x * x
    y_times_y = y * y
    plus = x_times_x + y_times_y
    sqrt_plus = math.sqrt(plus)
    d_plus = d_out * 0.5 / sqrt_plus
    d_y = d_plus * y + d_plus * y
    d_x = d_plus * x + d_plus * x
    d_exp_x = d_out * cos_y
    d_cos_y = d_out * exp_x
    d_y = d_y + -d_cos_y * math.sin(y)
    d_x = d_x + d_exp_x * exp_x
    return d_x, d_y
