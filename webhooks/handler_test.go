package webhooks

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve delivers r to h and returns the answer.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerAnswers(t *testing.T) {
	created := eventJSON(EventOrganizationMembershipCreated)
	tests := []struct {
		name      string
		req       func(t *testing.T) *http.Request
		fnErr     error
		wantCode  int
		wantBody  string
		wantCalls int32
	}{
		{"204 when fn handles the event", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, created)
		}, nil, http.StatusNoContent, "", 1},
		{"500 without the error when fn fails", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, created)
		}, errors.New("database is down"), http.StatusInternalServerError, "Internal Server Error\n", 1},
		{"405 to a GET", func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodGet, "/webhooks/clerk", nil)
		}, nil, http.StatusMethodNotAllowed, "Method Not Allowed\n", 0},
		{"405 to a signed PUT", func(t *testing.T) *http.Request {
			r := delivery(t, katSecret, testID, created)
			r.Method = http.MethodPut
			return r
		}, nil, http.StatusMethodNotAllowed, "Method Not Allowed\n", 0},
		{"413 to a body over MaxBodySize", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, `{"type":"x","pad":"`+strings.Repeat("x", MaxBodySize)+`"}`)
		}, nil, http.StatusRequestEntityTooLarge, "Request Entity Too Large\n", 0},
		{"413 to a body of unknown length over MaxBodySize", func(t *testing.T) *http.Request {
			r := delivery(t, katSecret, testID, `{"type":"x","pad":"`+strings.Repeat("x", MaxBodySize)+`"}`)
			r.ContentLength = -1
			return r
		}, nil, http.StatusRequestEntityTooLarge, "Request Entity Too Large\n", 0},
		{"400 to a signature made with another secret", func(t *testing.T) *http.Request {
			return delivery(t, otherSecret, testID, created)
		}, nil, http.StatusBadRequest, "Bad Request\n", 0},
		{"400 to a delivery without headers", func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(created))
		}, nil, http.StatusBadRequest, "Bad Request\n", 0},
		{"400 to a delivery signed an hour ago", func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(created))
			r.Header = signed(t, katSecret, testID, testNow.Add(-time.Hour), created)
			return r
		}, nil, http.StatusBadRequest, "Bad Request\n", 0},
		{"400 to a signed body that is not JSON", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, "not json")
		}, nil, http.StatusBadRequest, "Bad Request\n", 0},
		{"400 to a signed event without a type", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, `{"object":"event"}`)
		}, nil, http.StatusBadRequest, "Bad Request\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newVerifier(t, testNow, katSecret)
			var calls atomic.Int32
			h := Handler(v, func(context.Context, *Event) error {
				calls.Add(1)
				return tt.fnErr
			})
			w := serve(h, tt.req(t))
			assert.Equal(t, tt.wantCode, w.Code)
			assert.Equal(t, tt.wantBody, w.Body.String())
			assert.Equal(t, tt.wantCalls, calls.Load(), "calls of fn")
			if tt.wantCode == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", w.Header().Get("Allow"))
			}
		})
	}
}

type ctxKey struct{}

func TestHandlerCallsFnWithTheRequestContextAndTheEvent(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var got *Event
	var gotValue any
	h := Handler(v, func(ctx context.Context, e *Event) error {
		got, gotValue = e, ctx.Value(ctxKey{})
		return nil
	})
	r := delivery(t, katSecret, testID, eventJSON(EventOrganizationMembershipUpdated))
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "from the request"))

	require.Equal(t, http.StatusNoContent, serve(h, r).Code)
	assert.Equal(t, "from the request", gotValue)
	require.NotNil(t, got)
	assert.Equal(t, testID, got.ID)
	assert.Equal(t, EventOrganizationMembershipUpdated, got.Type)
}

func TestHandlerAcknowledgesARedeliveryOfAHandledEventWithoutCallingFn(t *testing.T) {
	v, clk := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	h := Handler(v, func(context.Context, *Event) error { calls.Add(1); return nil })
	body := eventJSON(EventOrganizationMembershipCreated)

	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code)
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code, "the same delivery again")

	clk.advance(time.Minute)
	redelivery := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(body))
	redelivery.Header = signed(t, katSecret, testID, clk.now(), body)
	assert.Equal(t, http.StatusNoContent, serve(h, redelivery).Code, "a redelivery signed a minute later")

	assert.Equal(t, int32(1), calls.Load(), "calls of fn")

	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, "msg_another", body)).Code)
	assert.Equal(t, int32(2), calls.Load(), "calls of fn, after an event with another ID")
}

func TestHandlerHandlesAgainAnEventFnFailedOn(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	h := Handler(v, func(context.Context, *Event) error {
		if calls.Add(1) == 1 {
			return errors.New("database is down")
		}
		return nil
	})
	body := eventJSON(EventOrganizationMembershipDeleted)

	assert.Equal(t, http.StatusInternalServerError, serve(h, delivery(t, katSecret, testID, body)).Code)
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code)
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code)
	assert.Equal(t, int32(2), calls.Load(), "calls of fn: the failure, the success, and not the duplicate")
}

func TestHandlerRemembersAHandledEventForTwiceTheTolerance(t *testing.T) {
	v, clk := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	h := Handler(v, func(context.Context, *Event) error { calls.Add(1); return nil })
	body := eventJSON(EventOrganizationMembershipCreated)
	redeliver := func() *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(body))
		r.Header = signed(t, katSecret, testID, clk.now(), body)
		return r
	}

	require.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code)
	clk.advance(2*DefaultTolerance - time.Second)
	assert.Equal(t, http.StatusNoContent, serve(h, redeliver()).Code)
	assert.Equal(t, int32(1), calls.Load(), "calls of fn just before 2×DefaultTolerance")

	clk.advance(time.Second)
	assert.Equal(t, http.StatusBadRequest, serve(h, delivery(t, katSecret, testID, body)).Code, "a replay of the first delivery")
	assert.Equal(t, http.StatusNoContent, serve(h, redeliver()).Code)
	assert.Equal(t, int32(2), calls.Load(), "calls of fn at 2×DefaultTolerance")
}

func TestHandlerAnswers409ToADeliveryOfAnEventBeingHandled(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var calls, otherCalls atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	h := Handler(v, func(_ context.Context, e *Event) error {
		if e.ID != testID {
			otherCalls.Add(1)
			return nil
		}
		calls.Add(1)
		close(entered)
		<-release
		return nil
	})
	body := eventJSON(EventOrganizationMembershipCreated)

	first := make(chan int)
	r := delivery(t, katSecret, testID, body)
	go func() { first <- serve(h, r).Code }()
	select {
	case <-entered:
	case <-time.After(10 * time.Second): // only when the handler is broken
		t.Fatal("fn was not called for the first delivery")
	}

	w := serve(h, delivery(t, katSecret, testID, body))
	assert.Equal(t, http.StatusConflict, w.Code)
	assert.Equal(t, "Conflict\n", w.Body.String())
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, "msg_another", body)).Code, "another event meanwhile")

	close(release)
	assert.Equal(t, http.StatusNoContent, <-first)
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code, "a delivery once it is handled")
	assert.Equal(t, int32(1), calls.Load(), "calls of fn for the event")
	assert.Equal(t, int32(1), otherCalls.Load(), "calls of fn for the other event")
}

func TestHandlerCallsFnOnceForManyConcurrentDeliveries(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	h := Handler(v, func(context.Context, *Event) error { calls.Add(1); return nil })
	body := eventJSON(EventOrganizationMembershipCreated)

	const n = 16
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = delivery(t, katSecret, testID, body)
	}
	codes := make(chan int, n)
	for _, r := range reqs {
		go func() { codes <- serve(h, r).Code }()
	}
	counts := map[int]int{}
	for range n {
		counts[<-codes]++
	}
	assert.Equal(t, int32(1), calls.Load(), "calls of fn")
	assert.Equal(t, n, counts[http.StatusNoContent]+counts[http.StatusConflict], "answers: %v", counts)
	assert.GreaterOrEqual(t, counts[http.StatusNoContent], 1, "answers: %v", counts)
}

func TestHandlerHandlesAgainAnEventFnPanickedOn(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	h := Handler(v, func(context.Context, *Event) error {
		if calls.Add(1) == 1 {
			panic("bug in fn")
		}
		return nil
	})
	body := eventJSON(EventOrganizationMembershipCreated)

	assert.PanicsWithValue(t, "bug in fn", func() { serve(h, delivery(t, katSecret, testID, body)) })
	assert.Equal(t, http.StatusNoContent, serve(h, delivery(t, katSecret, testID, body)).Code)
	assert.Equal(t, int32(2), calls.Load(), "calls of fn")
}

func TestHandlerPanicsWithoutAVerifierOrAFunction(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	assert.PanicsWithValue(t, "webhooks: Handler needs a Verifier and a function", func() {
		Handler(nil, func(context.Context, *Event) error { return nil })
	})
	assert.PanicsWithValue(t, "webhooks: Handler needs a Verifier and a function", func() { Handler(v, nil) })
}

func TestHandlerOverHTTPRefusesAnOversizedChunkedBody(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	var calls atomic.Int32
	srv := httptest.NewServer(Handler(v, func(context.Context, *Event) error { calls.Add(1); return nil }))
	defer srv.Close()

	body := `{"type":"x","pad":"` + strings.Repeat("x", MaxBodySize) + `"}`
	// A reader of unknown length makes the client send the body chunked.
	req, err := http.NewRequest(http.MethodPost, srv.URL, struct{ *strings.Reader }{strings.NewReader(body)})
	require.NoError(t, err)
	req.Header = signed(t, katSecret, testID, testNow, body)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, int32(0), calls.Load(), "calls of fn")
}
