package webhooks

import (
	"context"
	"errors"
	"net/http"
)

// Handler returns an http.Handler that verifies each delivery with v, decodes
// it, and calls fn with the request's context and the event. It answers:
//
//   - 405 Method Not Allowed to any method but POST;
//   - 413 Request Entity Too Large to a body over MaxBodySize;
//   - 400 Bad Request, with a body that says nothing about why, when the
//     delivery fails verification or decoding (use Verifier.ParseRequest
//     directly to see the reason);
//   - 500 Internal Server Error when fn returns an error, and Clerk will
//     deliver the event again later; the error is not sent back;
//   - 204 No Content when fn returns nil.
//
// Clerk delivers an event again when it gets no 2xx answer, and an attacker
// may replay a delivery while its timestamp is within DefaultTolerance. So
// the handler remembers the IDs of events fn has handled successfully, for
// 2×DefaultTolerance (after which a replay fails verification), and answers
// 204 to a delivery of such an ID without calling fn. It remembers at most
// 100,000 IDs, forgetting the oldest first, and only IDs of verified events.
// An event fn failed on is handled again when redelivered. While fn handles
// an event, a concurrent delivery of the same ID is answered 409 Conflict at
// once, without calling fn, and Clerk delivers it again later: fn is never
// running twice for one event. fn must still be idempotent, since Clerk also
// redelivers later than the handler remembers, and since the memory is per
// Handler, not shared between processes.
//
// If fn panics, the event counts as not handled, and the panic goes on to the
// http.Server. Handler panics if v or fn is nil.
func Handler(v *Verifier, fn func(ctx context.Context, e *Event) error) http.Handler {
	if v == nil || fn == nil {
		panic("webhooks: Handler needs a Verifier and a function")
	}
	return &handler{verifier: v, fn: fn, seen: newDedup(rememberFor, rememberMax)}
}

type handler struct {
	verifier *Verifier
	fn       func(ctx context.Context, e *Event) error
	seen     *dedup
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeStatus(w, http.StatusMethodNotAllowed)
		return
	}
	if r.Body != nil {
		// Past the limit, the server closes the connection rather than read
		// the rest of the body.
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodySize)
	}
	e, err := h.verifier.ParseRequest(r)
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		writeStatus(w, http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		writeStatus(w, http.StatusBadRequest)
		return
	}

	switch h.seen.begin(e.ID, h.verifier.now()) {
	case alreadyHandled:
		w.WriteHeader(http.StatusNoContent)
		return
	case handlingNow:
		writeStatus(w, http.StatusConflict)
		return
	}
	finished := false
	defer func() {
		if !finished { // fn panicked
			h.seen.finish(e.ID, h.verifier.now(), false)
		}
	}()
	err = h.fn(r.Context(), e)
	h.seen.finish(e.ID, h.verifier.now(), err == nil)
	finished = true
	if err != nil {
		writeStatus(w, http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeStatus answers with code and its standard text, and nothing more.
func writeStatus(w http.ResponseWriter, code int) {
	http.Error(w, http.StatusText(code), code)
}
