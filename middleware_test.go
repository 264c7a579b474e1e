package clerk

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// callLog records what middleware saw, safe for concurrent calls.
type callLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *callLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, s)
}

func (l *callLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.entries...)
}

// named returns a middleware that logs "<name> in <operation>" before the
// call and "<name> out <status> <attempts>" after it.
func named(log *callLog, name string) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			log.add(name + " in " + OperationName(ctx))
			resp, err := next(ctx, req)
			if resp != nil {
				log.add(name + " out " + http.StatusText(resp.StatusCode) + " " + string(rune('0'+resp.Attempts)))
			} else {
				log.add(name + " out no response")
			}
			return resp, err
		}
	}
}

func TestMiddlewareRunsOncePerCallAroundEveryAttemptFirstGivenOutermost(t *testing.T) {
	log := &callLog{}
	c, api := newMockClient(t, []httpmock.Responder{status(503), status(503), ok(membershipJSON)},
		WithMiddleware(named(log, "outer")), WithMiddleware(named(log, "inner")))
	_, resp, err := c.OrganizationMemberships.Update(context.Background(), "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Len(t, api.Requests(), 3)
	assert.Equal(t, []string{
		"outer in UpdateOrganizationMembership",
		"inner in UpdateOrganizationMembership",
		"inner out OK 3",
		"outer out OK 3",
	}, log.all())
}

func TestMiddlewareRunsOncePerPageOfAnIterator(t *testing.T) {
	var calls atomic.Int32
	c, api := newMockClient(t, []httpmock.Responder{
		ok(pageJSON(5, memberJSON("m1"), memberJSON("m2"))),
		ok(pageJSON(5, memberJSON("m3"), memberJSON("m4"))),
		ok(pageJSON(5, memberJSON("m5"))),
	}, WithPageConcurrency(1), WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			calls.Add(1)
			return next(ctx, req)
		}
	}))
	n := 0
	for _, err := range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 2}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 5, n)
	assert.Len(t, api.Requests(), 3)
	assert.Equal(t, int32(3), calls.Load())
}

func TestMiddlewareMayAddHeaders(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			req.Header.Set("X-Request-Id", "req-42")
			return next(ctx, req)
		}
	}))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "req-42", api.Requests()[0].Header.Get("X-Request-Id"))
}

func TestMiddlewareCannotReplaceTheClientsOwnHeaders(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			req.Header.Set("authorization", "Bearer someone-else")
			return next(ctx, req)
		}
	}))
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "header", verr.Param)
	assert.Nil(t, resp)
	assert.Empty(t, api.Requests())
}

func TestMiddlewareMayRefuseACall(t *testing.T) {
	errQuota := errors.New("tenant quota exhausted")
	c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			if req.Method == http.MethodDelete {
				return nil, errQuota
			}
			return next(ctx, req)
		}
	}))
	m, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	assert.ErrorIs(t, err, errQuota)
	assert.Nil(t, m)
	assert.Nil(t, resp)
	assert.Empty(t, api.Requests())
}

func TestMiddlewareThatSkipsNextWithoutAnErrorIsReported(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) { return nil, nil }
	}))
	m, _, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	assert.EqualError(t, err, "clerk: DeleteOrganizationMembership: a middleware returned without calling next and without an error")
	assert.Nil(t, m)
	assert.Empty(t, api.Requests())
}

func TestMiddlewareThatBuildsItsOwnRequestIsReported(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			return next(ctx, &Request{Operation: req.Operation, Method: req.Method, Path: req.Path})
		}
	}))
	_, _, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	assert.ErrorContains(t, err, "a middleware passed on a *Request it built itself")
	assert.Empty(t, api.Requests())
}

func TestMiddlewareThatCopiesTheRequestWorks(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			cp := *req
			cp.Header = req.Header.Clone()
			cp.Header.Set("X-Copied", "yes")
			return next(ctx, &cp)
		}
	}))
	m, _, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	require.NoError(t, err)
	assert.Equal(t, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S", m.ID)
	assert.Equal(t, "yes", api.Requests()[0].Header.Get("X-Copied"))
}

func TestInvalidMiddlewareOptionsAreRefused(t *testing.T) {
	_, err := NewClient(testKey, WithMiddleware(nil))
	assert.EqualError(t, err, "clerk: WithMiddleware: middleware 1 is nil")
	_, err = NewClient(testKey, WithMiddleware(func(Handler) Handler { return nil }))
	assert.EqualError(t, err, "clerk: WithMiddleware: middleware 1 returned a nil Handler")
	_, err = NewClient(testKey, WithLimiter(nil))
	assert.EqualError(t, err, "clerk: WithLimiter: the Limiter is nil")
}

// opTransport records OperationName of every attempt's request context.
type opTransport struct {
	base http.RoundTripper
	log  *callLog
}

func (t *opTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.log.add(OperationName(req.Context()))
	return t.base.RoundTrip(req)
}

func TestEveryMethodNamesItsOperationForMiddlewareAndTransports(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		operation string
		reply     string
		call      func(s *OrganizationMembershipsService) error
	}{
		{"CreateOrganizationMembership", membershipJSON, func(s *OrganizationMembershipsService) error {
			_, _, err := s.Create(ctx, "org_1", CreateOrganizationMembershipParams{UserID: "user_1", Role: "org:member"})
			return err
		}},
		{"DeleteOrganizationMembership", membershipJSON, func(s *OrganizationMembershipsService) error {
			_, _, err := s.Delete(ctx, "org_1", "user_1")
			return err
		}},
		{"ListOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			_, _, err := s.List(ctx, "org_1", nil)
			return err
		}},
		{"ListOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			for _, err := range s.All(ctx, "org_1", nil) {
				return err
			}
			return nil
		}},
		{"InstanceGetOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			_, _, err := s.ListForInstance(ctx, nil)
			return err
		}},
		{"InstanceGetOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			for _, err := range s.AllForInstance(ctx, nil) {
				return err
			}
			return nil
		}},
		{"UsersGetOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			_, _, err := s.ListForUser(ctx, "user_1", nil)
			return err
		}},
		{"UsersGetOrganizationMemberships", pageJSON(1, memberJSON("m1")), func(s *OrganizationMembershipsService) error {
			for _, err := range s.AllForUser(ctx, "user_1", nil) {
				return err
			}
			return nil
		}},
		{"UpdateOrganizationMembership", membershipJSON, func(s *OrganizationMembershipsService) error {
			_, _, err := s.Update(ctx, "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
			return err
		}},
		{"UpdateOrganizationMembershipMetadata", membershipJSON, func(s *OrganizationMembershipsService) error {
			_, _, err := s.UpdateMetadata(ctx, "org_1", "user_1", UpdateOrganizationMembershipMetadataParams{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.operation, func(t *testing.T) {
			mw, attempts := &callLog{}, &callLog{}
			mt := httpmock.NewMockTransport()
			mt.RegisterNoResponder(httpmock.Responder(func(r *http.Request) (*http.Response, error) {
				if len(attempts.all()) == 1 {
					return status(503)(r) // the first attempt fails, so that the retry is named too
				}
				return ok(tt.reply)(r)
			}))
			c, err := NewClient(testKey, WithBaseURL(testBaseURL), WithRetryPolicy(fastRetries),
				WithHTTPClient(&http.Client{Transport: &opTransport{base: mt, log: attempts}}),
				WithMiddleware(func(next Handler) Handler {
					return func(ctx context.Context, req *Request) (*Response, error) {
						mw.add(OperationName(ctx) + " " + req.Operation)
						return next(ctx, req)
					}
				}))
			require.NoError(t, err)
			err = tt.call(c.OrganizationMemberships)
			if tt.operation == "CreateOrganizationMembership" {
				assert.ErrorIs(t, err, ErrServer, "a Create is not retried after a 503")
				assert.Equal(t, []string{tt.operation}, attempts.all())
			} else {
				require.NoError(t, err)
				assert.Equal(t, []string{tt.operation, tt.operation}, attempts.all(), "both attempts are named")
			}
			assert.Equal(t, []string{tt.operation + " " + tt.operation}, mw.all())
		})
	}
	assert.Equal(t, "", OperationName(context.Background()), "outside a call there is no operation")
}

// countingLimiter counts waits and lets everything through.
type countingLimiter struct{ waits atomic.Int32 }

func (l *countingLimiter) Wait(context.Context) error {
	l.waits.Add(1)
	return nil
}

func TestTheLimiterIsWaitedForOnEveryAttempt(t *testing.T) {
	l := &countingLimiter{}
	c, api := newMockClient(t, []httpmock.Responder{status(503), status(429), ok(pageJSON(0))}, WithLimiter(l))
	_, resp, err := c.OrganizationMemberships.List(context.Background(), "org_1", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	assert.Len(t, api.Requests(), 3)
	assert.Equal(t, int32(3), l.waits.Load())
}

func TestALimiterErrorStopsTheAttemptBeforeItIsSent(t *testing.T) {
	errStore := errors.New("redis: connection refused")
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithLimiter(limiterFunc(func(context.Context) error { return errStore })))
	_, resp, err := c.OrganizationMemberships.List(context.Background(), "org_1", nil)
	assert.ErrorIs(t, err, errStore)
	assert.ErrorContains(t, err, "clerk: ListOrganizationMemberships: ")
	assert.ErrorContains(t, err, "waiting for the client-side rate limiter: redis: connection refused")
	assert.Nil(t, resp)
	assert.Empty(t, api.Requests())
}

type limiterFunc func(ctx context.Context) error

func (f limiterFunc) Wait(ctx context.Context) error { return f(ctx) }

func TestTheLastLimiterOptionWins(t *testing.T) {
	l := &countingLimiter{}
	c, _ := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithRateLimit(0.001, 1), WithLimiter(l))
	// Were the slow WithRateLimit in force, the second call would fail at
	// once: its wait would outlast the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 3 {
		_, _, err := c.OrganizationMemberships.ListForInstance(ctx, nil)
		require.NoError(t, err, "the slow WithRateLimit was replaced")
	}
	assert.Equal(t, int32(3), l.waits.Load())

	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithLimiter(l), WithRateLimit(1000, 1))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, int32(3), l.waits.Load(), "WithRateLimit replaced the counting limiter")
	assert.Len(t, api.Requests(), 1)
}

func TestTwoClientsSharingALimiterStayWithinOneBudget(t *testing.T) {
	// 50 per second with a burst of 1: 20 requests need at least 19 gaps of
	// 20 ms, whichever client sends them. Two clients with a limiter each
	// would finish in about half that.
	shared := rate.NewLimiter(50, 1)
	a, apiA := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithLimiter(shared))
	b, apiB := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithLimiter(shared))
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range []*Client{a, b} {
		for range 10 {
			wg.Go(func() {
				_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
				assert.NoError(t, err)
			})
		}
	}
	wg.Wait()
	assert.Len(t, apiA.Requests(), 10)
	assert.Len(t, apiB.Requests(), 10)
	assert.GreaterOrEqual(t, time.Since(start), 380*time.Millisecond, "19 gaps of 20 ms")
}
