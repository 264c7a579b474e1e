package clerk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedServer serves n memberships "m0".."m(n-1)" by limit and offset,
// reporting total as total_count (n when total is negative).
func pagedServer(n, total int) httpmock.Responder {
	if total < 0 {
		total = n
	}
	return func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		var members []string
		for i := offset; i < min(offset+limit, n); i++ {
			members = append(members, memberJSON(fmt.Sprintf("m%d", i)))
		}
		return ok(pageJSON(total, members...))(req)
	}
}

func collect(t *testing.T, seq func(func(*OrganizationMembership, error) bool)) ([]string, error) {
	t.Helper()
	var ids []string
	for m, err := range seq {
		if err != nil {
			require.Nil(t, m)
			return ids, err
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("m%d", i))
	}
	return out
}

func queries(api *mockAPI) []string {
	var out []string
	for _, r := range api.Requests() {
		out = append(out, r.Query)
	}
	return out
}

func TestAllWalksEveryPageInOrder(t *testing.T) {
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprintf("with page concurrency %d", k), func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{pagedServer(5, -1)}, WithPageConcurrency(k))
			params := &ListOrganizationMembershipsParams{Limit: 2, Roles: []string{"org:member"}}
			got, err := collect(t, c.OrganizationMemberships.All(context.Background(), "org_1", params))
			require.NoError(t, err)
			assert.Equal(t, ids(0, 5), got)
			assert.ElementsMatch(t, []string{"limit=2&role=org%3Amember", "limit=2&offset=2&role=org%3Amember", "limit=2&offset=4&role=org%3Amember"}, queries(api))
			assert.Equal(t, "limit=2&role=org%3Amember", api.Requests()[0].Query, "the first page comes first")
			assert.Equal(t, &ListOrganizationMembershipsParams{Limit: 2, Roles: []string{"org:member"}}, params, "params are not modified")
		})
	}
}

func TestAllUsesPagesOf500FromTheGivenOffset(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{pagedServer(1203, -1)}, WithPageConcurrency(1))
	got, err := collect(t, c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Offset: 3}))
	require.NoError(t, err)
	assert.Equal(t, ids(3, 1203), got)
	assert.Equal(t, []string{"limit=500&offset=3", "limit=500&offset=503", "limit=500&offset=1003"}, queries(api))
}

func TestAllForInstanceWalksTheInstanceList(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{pagedServer(3, -1)}, WithPageConcurrency(1))
	got, err := collect(t, c.OrganizationMemberships.AllForInstance(context.Background(), &ListInstanceOrganizationMembershipsParams{Limit: 2, OrderBy: "-created_at"}))
	require.NoError(t, err)
	assert.Equal(t, ids(0, 3), got)
	for _, r := range api.Requests() {
		assert.Equal(t, "/v1/organization_memberships", r.Path)
	}
	assert.Equal(t, []string{"limit=2&order_by=-created_at", "limit=2&offset=2&order_by=-created_at"}, queries(api))
}

func TestAllStopsFetchingWhenTheLoopBreaks(t *testing.T) {
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprintf("within the first page with page concurrency %d", k), func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{pagedServer(1000, -1)}, WithPageConcurrency(k))
			n := 0
			for _, err := range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 10}) {
				require.NoError(t, err)
				if n++; n == 10 {
					break
				}
			}
			assert.Len(t, api.Requests(), 1)
		})
	}
	t.Run("in the second page when sequential", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedServer(1000, -1)}, WithPageConcurrency(1))
		n := 0
		for range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 10}) {
			if n++; n == 11 {
				break
			}
		}
		assert.Len(t, api.Requests(), 2)
	})
}

func TestAllEndsWhenTotalCountOverstatesWhatTheServerReturns(t *testing.T) {
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprintf("with page concurrency %d", k), func(t *testing.T) {
			c, _ := newMockClient(t, []httpmock.Responder{pagedServer(5, 1_000_000)}, WithPageConcurrency(k))
			got, err := collect(t, c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 2}))
			require.NoError(t, err)
			assert.Equal(t, ids(0, 5), got, "the first empty page ends the walk")
		})
	}
}

func TestAllYieldsAnErrorOnceAndStops(t *testing.T) {
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprintf("with page concurrency %d", k), func(t *testing.T) {
			failThirdPage := func(req *http.Request) (*http.Response, error) {
				if req.URL.Query().Get("offset") == "4" {
					return status(404)(req)
				}
				return pagedServer(10, -1)(req)
			}
			c, _ := newMockClient(t, []httpmock.Responder{failThirdPage}, WithPageConcurrency(k))
			var got []string
			errs := 0
			for m, err := range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 2}) {
				if err != nil {
					errs++
					assert.Nil(t, m)
					assert.ErrorIs(t, err, ErrNotFound)
					continue
				}
				got = append(got, m.ID)
			}
			assert.Equal(t, 1, errs)
			assert.Equal(t, ids(0, 4), got, "every membership before the failed page, then nothing")
		})
	}
}

func TestAllYieldsValidationErrorsWithoutSendingAnything(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{pagedServer(5, -1)})
	_, err := collect(t, c.OrganizationMemberships.All(context.Background(), "", nil))
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "organization_id", verr.Param)

	var nilCtx context.Context
	_, err = collect(t, c.OrganizationMemberships.AllForInstance(nilCtx, nil))
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "ctx", verr.Param)
	assert.Empty(t, api.Requests())
}

func TestAllConcurrentlyFetchesAtMostKPagesAtOnce(t *testing.T) {
	const k = 3
	var inFlight, peak atomic.Int32
	slow := func(req *http.Request) (*http.Response, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond) // long enough for the next fetches to start meanwhile
		return pagedServer(100, -1)(req)
	}
	c, api := newMockClient(t, []httpmock.Responder{slow}, WithPageConcurrency(k))
	got, err := collect(t, c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 5}))
	require.NoError(t, err)
	assert.Equal(t, ids(0, 100), got)
	assert.Len(t, api.Requests(), 20)
	assert.LessOrEqual(t, peak.Load(), int32(k))
	assert.Greater(t, peak.Load(), int32(1), "pages after the first are fetched concurrently")

	var offsets []int
	for _, q := range queries(api) {
		v, _ := url.ParseQuery(q)
		o, _ := strconv.Atoi(v.Get("offset"))
		offsets = append(offsets, o)
	}
	assert.ElementsMatch(t, []int{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95}, offsets, "each page exactly once")
}

func TestBreakingAConcurrentWalkCancelsTheFetchesInFlight(t *testing.T) {
	var blocked, canceled atomic.Int32
	blocking := func(req *http.Request) (*http.Response, error) {
		switch req.URL.Query().Get("offset") {
		case "", "10":
			return pagedServer(100, -1)(req)
		}
		blocked.Add(1)
		<-req.Context().Done()
		canceled.Add(1)
		return nil, req.Context().Err()
	}
	c, api := newMockClient(t, []httpmock.Responder{blocking}, WithPageConcurrency(4))
	done := make(chan []string)
	go func() {
		var got []string
		for m, err := range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: 10}) {
			assert.NoError(t, err)
			if got = append(got, m.ID); len(got) == 15 {
				assert.Eventually(t, func() bool { return blocked.Load() == 4 }, 5*time.Second, time.Millisecond,
					"pages 20, 30, 40 and, once the second page arrived, 50 wait on the server")
				break
			}
		}
		done <- got
	}()
	select {
	case got := <-done:
		assert.Equal(t, ids(0, 15), got)
	case <-time.After(5 * time.Second):
		t.Fatal("breaking the loop did not cancel the page fetches in flight")
	}
	assert.Len(t, api.Requests(), 6, "the first page alone, then 4 at once, then 1 more when the second page arrived")
	// httpmock may return a canceled request before its responder notices.
	assert.Eventually(t, func() bool { return canceled.Load() == 4 }, 5*time.Second, time.Millisecond,
		"the 4 fetches waiting for the server see their requests canceled")
}

// trackedBody counts the bodies whose reading has started.
type trackedBody struct {
	io.Reader
	started *atomic.Int32
	once    sync.Once
}

func (b *trackedBody) Read(p []byte) (int, error) {
	b.once.Do(func() { b.started.Add(1) })
	return b.Reader.Read(p)
}

func (b *trackedBody) Close() error { return nil }

func TestAConcurrentWalkHoldsAtMostKPagesForASlowConsumer(t *testing.T) {
	const k, limit, pages = 3, 5, 12
	var decoding atomic.Int32
	tracked := func(req *http.Request) (*http.Response, error) {
		resp, err := pagedServer(limit*pages, -1)(req)
		resp.Body = &trackedBody{Reader: resp.Body, started: &decoding}
		return resp, err
	}
	c, _ := newMockClient(t, []httpmock.Responder{tracked}, WithPageConcurrency(k))
	n := 0
	for _, err := range c.OrganizationMemberships.All(context.Background(), "org_1", &ListOrganizationMembershipsParams{Limit: limit}) {
		require.NoError(t, err)
		if n%limit == 0 && n > 0 {
			time.Sleep(20 * time.Millisecond) // a slow consumer: fetchers could run far ahead
			page := int32(n / limit)          // pages 0..page-1 are done; page is being read
			assert.LessOrEqual(t, decoding.Load()-page, int32(k), "pages decoded and held at page %d", page)
		}
		n++
	}
	assert.Equal(t, limit*pages, n)
}
