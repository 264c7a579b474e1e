package membersync

import (
	"context"
	"net/http/httptrace"
	"sync"
	"time"
)

// A flight follows the calls of one change through net/http's client trace,
// so that Apply knows whether a request went out, and decides what a cancel
// does to them:
//
//   - Until an attempt asks for a connection (after any limiter wait), the
//     calls end with the caller's context: a change still waiting sends
//     nothing.
//   - An attempt that has asked for a connection is in flight: it gets up to
//     the Syncer's grace (10 s) after the cancel, since the server may act on
//     it whatever the client does, and is read back afterwards.
//   - Once an answer has begun to arrive after the cancel, the calls end, so
//     that the client does not retry: no further request goes out.
type flight struct {
	mu        sync.Mutex
	began     bool // an attempt asked for a connection
	wrote     bool // an attempt wrote its request headers
	answering bool // the current attempt's answer has begun to arrive
	ended     bool // the caller's context is done
	cancel    context.CancelFunc
	grace     *time.Timer
}

// fly returns the context the calls of one change run on, the flight that
// follows them, and a function that releases both once the calls are over.
func fly(ctx context.Context, grace time.Duration) (context.Context, *flight, func()) {
	calls, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{cancel: cancel}
	calls = httptrace.WithClientTrace(calls, &httptrace.ClientTrace{
		GetConn: func(string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.began, f.answering = true, false
			if f.ended {
				f.cancel() // a retry after the cancel
			}
		},
		WroteHeaders: func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.wrote = true
		},
		GotFirstResponseByte: func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.answering = true
			if f.ended {
				f.cancel()
			}
		},
	})
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ended = true
		if !f.began || f.answering {
			f.cancel()
			return
		}
		f.grace = time.AfterFunc(grace, f.cancel)
	})
	return calls, f, func() {
		stop()
		f.mu.Lock()
		if f.grace != nil {
			f.grace.Stop()
		}
		f.mu.Unlock()
		cancel()
	}
}

// state reports whether an attempt asked for a connection and whether one
// wrote its request.
func (f *flight) state() (began, wrote bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.began, f.wrote
}
