def d_calls_a_function(W, x, *, d_out=1.0):
    layer_W, layer_W_pullback = vjp_of(_layer, (0, 1))(W, x)
    layer_W_1, layer_W_1_pullback = vjp_of(_layer, (0, 1))(W, layer_W)
    d_layer_W_1_args = layer_W_1_pullback(np.broadcast_to(d_out, np.shape(layer_W_1)))
    d_layer_W_args = layer_W_pullback(d_layer_W_1_args[1])
    d_W = d_layer_W_1_args[0] + d_layer_W_args[0]
    d_x = d_layer_W_args[1]
    return (d_W, d_x)
