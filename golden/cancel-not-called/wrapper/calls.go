package wrapper

import "context"

// Get derives its context through the package's helper and drops the cancel func.
func Get(parent context.Context, get func(context.Context) error) error {
	ctx, _ := withTimeout(parent) // want "the cancel func of withTimeout is discarded"
	return get(ctx)
}

// Put derives through a method helper and never calls what it returns.
func (c *Client) Put(parent context.Context, put func(context.Context) error) error {
	ctx, cancel := c.opCtx(parent) // want "cancel from c.opCtx is never called"
	_ = cancel
	return put(ctx)
}

// Delete uses the helper as intended.
func (c *Client) Delete(parent context.Context, del func(context.Context) error) error {
	ctx, cancel := c.opCtx(parent)
	defer cancel()
	return del(ctx)
}
