def d_float_math(x, y, *, d_out=1.0):
    exp_x = math.exp(x)
    d_plus = d_out * 0.5 / math.sqrt(x * x + y * y)
    d_y = d_plus * y + d_plus * y + -(d_out * exp_x) * math.sin(y)
    d_x = d_plus * x + d_plus * x + d_out * math.cos(y) * exp_x
    return (d_x, d_y)
