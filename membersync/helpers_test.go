package membersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/membersync"

	"github.com/stretchr/testify/require"
)

// fastRetries keeps retried calls quick in tests.
var fastRetries = clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 2 * time.Second})

// fixture is an organization on a clerktest server whose users have names,
// so that tests read "ada" and "bob" rather than random IDs.
type fixture struct {
	t      *testing.T
	srv    *clerktest.Server
	org    string
	client *clerk.Client
	id     map[string]string // name -> user ID
	name   map[string]string // user ID -> name
}

// newFixture starts a server with an organization and one user per name.
// The users' IDs sort in the order the names are given, so that plans,
// which sort by user ID, list them in that order too.
func newFixture(t *testing.T, names []string, opts ...clerk.Option) *fixture {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	f := &fixture{t: t, srv: srv, org: srv.AddOrganization("Acme"),
		client: srv.Client(append([]clerk.Option{fastRetries}, opts...)...),
		id:     map[string]string{}, name: map[string]string{}}
	ids := make([]string, len(names))
	for i, n := range names {
		ids[i] = srv.AddUser(clerktest.User{Username: n})
	}
	slices.Sort(ids)
	for i, n := range names {
		f.id[n], f.name[ids[i]] = ids[i], n
	}
	return f
}

// abc are the names most tests use, in user-ID order.
var abc = []string{"ada", "bob", "cal", "dan", "eve", "fay", "gus", "hal"}

// member makes name a member with role, without HTTP.
func (f *fixture) member(name, role string) {
	f.srv.AddMembership(f.org, f.id[name], role)
}

// members makes several users members: "ada:org:admin", "bob:org:member".
func (f *fixture) members(specs ...string) {
	for _, s := range specs {
		name, role, _ := strings.Cut(s, ":")
		f.member(name, role)
	}
}

// setMetadata stores metadata on name's membership through the API.
func (f *fixture) setMetadata(name string, public, private map[string]any) {
	f.t.Helper()
	_, _, err := f.client.OrganizationMemberships.UpdateMetadata(context.Background(), f.org, f.id[name],
		clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: public, PrivateMetadata: private})
	require.NoError(f.t, err)
}

// want builds a desired member for name.
func (f *fixture) want(name, role string) membersync.Member {
	return membersync.Member{UserID: f.id[name], Role: role}
}

// named replaces user IDs by names in s.
func (f *fixture) named(s string) string {
	pairs := make([]string, 0, 2*len(f.id))
	for n, id := range f.id {
		pairs = append(pairs, id, n)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// roles returns every member's role by name, read through the API.
func (f *fixture) roles() map[string]string {
	f.t.Helper()
	out := map[string]string{}
	for m, err := range f.client.OrganizationMemberships.All(context.Background(), f.org, nil) {
		require.NoError(f.t, err)
		out[f.name[m.PublicUserData.UserID]] = m.Role
	}
	return out
}

// publicMetadata returns name's stored public metadata as JSON text.
func (f *fixture) publicMetadata(name string) string {
	f.t.Helper()
	page, _, err := f.client.OrganizationMemberships.List(context.Background(), f.org,
		&clerk.ListOrganizationMembershipsParams{UserIDs: []string{f.id[name]}})
	require.NoError(f.t, err)
	require.Len(f.t, page.Data, 1)
	var v any
	require.NoError(f.t, json.Unmarshal(page.Data[0].PublicMetadata, &v))
	b, err := json.Marshal(v) // sorted keys, no spaces
	require.NoError(f.t, err)
	return string(b)
}

// plan plans desired with opts and fails the test on an error.
func (f *fixture) plan(opts membersync.Options, desired ...membersync.Member) *membersync.Plan {
	f.t.Helper()
	plan, err := membersync.New(f.client, opts).Plan(context.Background(), f.org, desired)
	require.NoError(f.t, err)
	return plan
}

// requestsSince returns the requests the server received after the first n.
func (f *fixture) requestsSince(n int) []clerktest.Request {
	return f.srv.Requests()[n:]
}

// tracer is an http.RoundTripper that records when each request starts and
// ends, to check how many run at once and in which order.
type tracer struct {
	mu       sync.Mutex
	inFlight int
	most     int // the most requests in flight at once
	events   []event
}

// event is the start or the end of a request of one group of Apply:
// 0 promotion, 1 removal or other role change, 2 addition, 3 metadata;
// -1 for anything else (reads).
type event struct {
	start bool
	group int
}

func (tr *tracer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	g := groupOf(req.Method, req.URL.Path, body)
	tr.mu.Lock()
	tr.inFlight++
	tr.most = max(tr.most, tr.inFlight)
	tr.events = append(tr.events, event{true, g})
	tr.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(req)
	tr.mu.Lock()
	tr.inFlight--
	tr.events = append(tr.events, event{false, g})
	tr.mu.Unlock()
	return resp, err
}

// groupOf says which group of Apply a request belongs to (see event).
func groupOf(method, path string, body []byte) int {
	switch {
	case method == http.MethodPatch && strings.HasSuffix(path, "/metadata"):
		return 3
	case method == http.MethodPatch && bytes.Contains(body, []byte(`"role":"org:admin"`)):
		return 0
	case method == http.MethodPatch, method == http.MethodDelete:
		return 1
	case method == http.MethodPost:
		return 2
	}
	return -1
}

// mostInFlight returns the most requests that were in flight at once.
func (tr *tracer) mostInFlight() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.most
}

// groupsOverlap reports the first request that started before every
// request of an earlier group had ended, or "" when none did.
func (tr *tracer) groupsOverlap() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	open := map[int]int{} // group -> requests started and not ended
	for i, e := range tr.events {
		if e.group < 0 {
			continue
		}
		if !e.start {
			open[e.group]--
			continue
		}
		for g, n := range open {
			if g < e.group && n > 0 {
				return fmt.Sprintf("event %d: a request of group %d started while %d of group %d were in flight", i, e.group, n, g)
			}
		}
		open[e.group]++
	}
	return ""
}
