package fetch

import "net/http"

// PoolCloner is a RoundTripper that wraps another (adding headers,
// say) and can copy itself over a connection pool of its own. The
// client's transport is either one, or an *http.Transport.
type PoolCloner interface {
	ClonePool() http.RoundTripper
}

// ownPool returns a client with c's settings (proxy, TLS, headers,
// cookies) and a connection pool of its own, or nil when c's transport
// cannot be copied. A job gives one to each of its connections but the
// first, so that each keeps its socket from request to request: a
// connection's measured speed then stays with it (a shared pool hands
// sockets to whichever request asks first).
func ownPool(c *http.Client) *http.Client {
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	switch t := rt.(type) {
	case *http.Transport:
		own := t.Clone()
		own.MaxIdleConns, own.MaxIdleConnsPerHost = 2, 2
		rt = own
	case PoolCloner:
		rt = t.ClonePool()
	default:
		return nil
	}
	own := *c
	own.Transport = rt
	return &own
}
