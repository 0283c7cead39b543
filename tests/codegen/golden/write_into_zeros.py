def d_write_into_zeros(x, *, d_out=1.0):
    x_item_stack = []
    x_item_1_stack = []
    x_item = None
    x_item_1 = None
    z = np.zeros(4)
    for i in range(4):
        x_item_stack.append(x_item)
        x_item = x[i]
        x_item_1_stack.append(x_item_1)
        x_item_1 = x[(i + 1) % 4]
        z[i] = x_item * x_item_1
    d_z = d_out * 2 * z
    d_x = np.zeros_like(x)
    for i in reversed(range(4)):
        kept = np.ones_like(d_z)
        kept[i] = 0
        stays = last_write_mask(np.shape(d_z), i)
        d_times = unbroadcast(d_z[i] * stays, (), np)
        d_z = d_z * kept
        d_x_item = d_times * x_item_1
        x_item_1 = x_item_1_stack.pop()
        d_x = d_x + scatter_into_zeros(d_times * x_item, x, (i + 1) % 4, np)
        x_item = x_item_stack.pop()
        d_x = d_x + scatter_into_zeros(d_x_item, x, i, np)
    return (d_x,)
