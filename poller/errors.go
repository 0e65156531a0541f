package poller

import "errors"

// ErrClosed is returned by methods of a closed [Poller].
var ErrClosed = errors.New("poller: closed")

// ErrNotSupported is returned on platforms without epoll.
var ErrNotSupported = errors.New("poller: not supported on this platform")
