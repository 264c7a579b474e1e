package clerktest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/webhooks"
)

// testUserAgent is the User-Agent of the API calls in these tests, which
// events report in event_attributes.
const testUserAgent = "webhooks-test/1.0"

// hookFixture is a server with one organization, an admin and a member,
// all seeded without HTTP and so without events.
type hookFixture struct {
	srv                *clerktest.Server
	org, admin, member string
}

func newHookFixture(t *testing.T) *hookFixture {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	f := &hookFixture{srv: srv, org: srv.AddOrganization("Acme Corp")}
	f.admin = srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test"})
	f.member = srv.AddUser(clerktest.User{FirstName: "Max", EmailAddress: "max@acme.test"})
	srv.AddMembership(f.org, f.admin, clerktest.RoleAdmin)
	srv.AddMembership(f.org, f.member, clerktest.RoleMember)
	return f
}

// call sends an API request with testUserAgent and returns the status and
// the raw answer.
func (f *hookFixture) call(t *testing.T, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(f.srv.URL, "/")+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.srv.SecretKey)
	req.Header.Set("User-Agent", testUserAgent)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 10 * time.Second} // so that an API call held up by a delivery fails, not hangs
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

// mustCall is call for a request that must succeed.
func (f *hookFixture) mustCall(t *testing.T, method, path, body string) []byte {
	t.Helper()
	status, raw := f.call(t, method, path, body)
	require.Equal(t, http.StatusOK, status, string(raw))
	return raw
}

func (f *hookFixture) members() string { return "/organizations/" + f.org + "/memberships" }

func (f *hookFixture) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, f.srv.FlushWebhooks(ctx))
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// sentEvent is the body of a delivery.
type sentEvent struct {
	Data            json.RawMessage `json:"data"`
	Object          string          `json:"object"`
	Type            string          `json:"type"`
	Timestamp       int64           `json:"timestamp"`
	InstanceID      string          `json:"instance_id"`
	EventAttributes struct {
		HTTPRequest struct {
			ClientIP  string `json:"client_ip"`
			UserAgent string `json:"user_agent"`
		} `json:"http_request"`
	} `json:"event_attributes"`
}

func (r received) event(t *testing.T) sentEvent {
	t.Helper()
	var e sentEvent
	require.NoError(t, json.Unmarshal(r.body, &e), string(r.body))
	return e
}

// receiver is a webhook endpoint that records every request and answers the
// nth (from 1) with respond, or 200 when respond is nil. Its quit channel is
// closed when the test ends, for handlers that block.
type receiver struct {
	*httptest.Server
	quit    chan struct{}
	respond func(w http.ResponseWriter, r *http.Request, n int)

	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, n int)) *receiver {
	t.Helper()
	rc := &receiver{quit: make(chan struct{}), respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serveHTTP))
	t.Cleanup(func() {
		close(rc.quit)
		rc.Close()
	})
	return rc
}

func (rc *receiver) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body)) // for respond to read again
	rc.mu.Lock()
	rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, at: time.Now()})
	n := len(rc.got)
	rc.mu.Unlock()
	if rc.respond != nil {
		rc.respond(w, r, n)
	}
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// answerWith answers the nth request with statuses[n-1], and any after the
// last with the last.
func answerWith(statuses ...int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		w.WriteHeader(statuses[min(n, len(statuses))-1])
	}
}

// dropConnection closes the connection without answering.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// blockUntil holds the answer back until release is closed, the test ends
// or the client gives up.
func blockUntil(release <-chan struct{}, quit <-chan struct{}) func(http.ResponseWriter, *http.Request, int) {
	return func(_ http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-quit:
		case <-r.Context().Done():
		}
	}
}

func TestEachChangeThroughTheAPIDeliversOneSignedEvent(t *testing.T) {
	tests := []struct {
		name, eventType   string
		method, path, arg string // path after the organization's memberships
		// wantMembers is members_count in the event's data, which the
		// deleted event renders as the organization is after the deletion,
		// as the API's own answer does.
		wantMembers int
	}{
		{"a created membership makes organizationMembership.created", "organizationMembership.created",
			"POST", "", `{"user_id":"%new%","role":"org:member","public_metadata":{"team":"blue"}}`, 3},
		{"a role change makes organizationMembership.updated", "organizationMembership.updated",
			"PATCH", "/%member%", `{"role":"org:admin"}`, 2},
		{"a metadata change makes organizationMembership.updated", "organizationMembership.updated",
			"PATCH", "/%member%/metadata", `{"private_metadata":{"seat":7}}`, 2},
		{"a deleted membership makes organizationMembership.deleted with the membership as it was", "organizationMembership.deleted",
			"DELETE", "/%member%", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newHookFixture(t)
			rc := newReceiver(t, nil)
			secret := f.srv.AddWebhook(rc.URL + "/clerk")
			replacer := strings.NewReplacer("%new%", f.srv.AddUser(clerktest.User{FirstName: "Neo"}), "%member%", f.member)

			before := time.Now()
			answer := f.mustCall(t, tt.method, f.members()+replacer.Replace(tt.path), replacer.Replace(tt.arg))
			f.flush(t)

			got := rc.received()
			require.Len(t, got, 1)
			d := got[0]
			e := d.event(t)
			assert.Equal(t, tt.eventType, e.Type)
			assert.JSONEq(t, string(answer), string(e.Data), "data is the membership exactly as the API answered")
			var data struct {
				Organization struct {
					MembersCount int `json:"members_count"`
				} `json:"organization"`
			}
			require.NoError(t, json.Unmarshal(e.Data, &data))
			assert.Equal(t, tt.wantMembers, data.Organization.MembersCount)
			assert.Equal(t, "event", e.Object)
			assert.Regexp(t, `^ins_[0-9A-Za-z]{27}$`, e.InstanceID)
			assert.GreaterOrEqual(t, e.Timestamp, before.UnixMilli(), "timestamp is in milliseconds")
			assert.LessOrEqual(t, e.Timestamp, time.Now().UnixMilli())
			api, err := url.Parse(f.srv.URL)
			require.NoError(t, err)
			assert.Equal(t, api.Hostname(), e.EventAttributes.HTTPRequest.ClientIP, "the test calls from the loopback address the server listens on")
			assert.Equal(t, testUserAgent, e.EventAttributes.HTTPRequest.UserAgent)

			var fields map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(d.body, &fields))
			assert.Len(t, fields, 6, "data, object, type, timestamp, instance_id and event_attributes, nothing else")

			id := d.header.Get("svix-id")
			assert.Regexp(t, `^msg_[0-9A-Za-z]+$`, id)
			assert.Equal(t, "application/json", d.header.Get("Content-Type"))
			assert.True(t, strings.HasPrefix(d.header.Get("User-Agent"), "Svix-Webhooks/"), d.header.Get("User-Agent"))
			sentAt, err := strconv.ParseInt(d.header.Get("svix-timestamp"), 10, 64)
			require.NoError(t, err)
			assert.InDelta(t, d.at.Unix(), sentAt, 5, "svix-timestamp is the attempt's time in seconds")
			want, err := webhooks.Sign(secret, id, time.Unix(sentAt, 0), d.body)
			require.NoError(t, err)
			assert.Equal(t, want, d.header.Get("svix-signature"))

			assert.Equal(t, []clerktest.WebhookDelivery{
				{URL: rc.URL + "/clerk", EventID: id, EventType: tt.eventType, Attempt: 1, Status: 200},
			}, f.srv.WebhookDeliveries())
		})
	}
}

func TestEveryEndpointGetsEveryEventInTheOrderOfTheChanges(t *testing.T) {
	f := newHookFixture(t)
	first, second := newReceiver(t, nil), newReceiver(t, answerWith(204))
	secrets := []string{f.srv.AddWebhook(first.URL), f.srv.AddWebhook(second.URL)}
	assert.NotEqual(t, secrets[0], secrets[1], "each endpoint has its own secret")

	const changes = 20
	for i := range changes {
		f.mustCall(t, "PATCH", f.members()+"/"+f.member+"/metadata", `{"public_metadata":{"n":`+strconv.Itoa(i)+`}}`)
	}
	f.flush(t)

	var ids [2][]string
	for r, rc := range []*receiver{first, second} {
		got := rc.received()
		require.Len(t, got, changes)
		for i, d := range got {
			var data struct {
				PublicMetadata struct{ N int } `json:"public_metadata"`
			}
			require.NoError(t, json.Unmarshal(d.event(t).Data, &data))
			assert.Equal(t, i, data.PublicMetadata.N, "receiver %d, event %d", r+1, i+1)
			sentAt, _ := strconv.ParseInt(d.header.Get("svix-timestamp"), 10, 64)
			want, err := webhooks.Sign(secrets[r], d.header.Get("svix-id"), time.Unix(sentAt, 0), d.body)
			require.NoError(t, err)
			assert.Equal(t, want, d.header.Get("svix-signature"), "signed with the endpoint's own secret")
			ids[r] = append(ids[r], d.header.Get("svix-id"))
		}
	}
	assert.Equal(t, ids[0], ids[1], "an event has one ID at every endpoint")
	assert.Len(t, f.srv.WebhookDeliveries(), 2*changes)
}

func TestFailedDeliveriesAreAttemptedAgainWithTheSameEventID(t *testing.T) {
	tests := []struct {
		name         string
		respond      func(w http.ResponseWriter, r *http.Request, n int)
		wantStatuses []int
	}{
		{"a receiver answering 500 twice and then 200 gets three attempts", answerWith(500, 500, 200), []int{500, 500, 200}},
		{"a receiver always answering 503 gets five attempts and is given up on", answerWith(503), []int{503, 503, 503, 503, 503}},
		{"a redirect counts as a failure", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			}
		}, []int{302, 200}},
		{"a dropped connection is recorded with status 0", func(w http.ResponseWriter, _ *http.Request, n int) {
			if n == 1 {
				dropConnection(w)
			}
		}, []int{0, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newHookFixture(t)
			rc := newReceiver(t, tt.respond)
			f.srv.AddWebhook(rc.URL)
			f.mustCall(t, "PATCH", f.members()+"/"+f.member, `{"role":"org:admin"}`)
			f.flush(t)

			deliveries := f.srv.WebhookDeliveries()
			require.Len(t, deliveries, len(tt.wantStatuses))
			got := rc.received()
			require.Len(t, got, len(tt.wantStatuses))
			for i, d := range deliveries {
				assert.Equal(t, i+1, d.Attempt)
				assert.Equal(t, tt.wantStatuses[i], d.Status, "attempt %d", i+1)
				assert.Equal(t, deliveries[0].EventID, d.EventID, "attempt %d", i+1)
				assert.Equal(t, "organizationMembership.updated", d.EventType)
				assert.Equal(t, d.EventID, got[i].header.Get("svix-id"))
				assert.Equal(t, got[0].body, got[i].body, "every attempt sends the same body")
			}
		})
	}
}

func TestAnEventGivenUpOnDoesNotHoldUpTheNext(t *testing.T) {
	f := newHookFixture(t)
	// The receiver fails every attempt of the created event, and no other.
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"type":"organizationMembership.created"`) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	f.srv.AddWebhook(rc.URL)
	newcomer := f.srv.AddUser(clerktest.User{})
	f.mustCall(t, "POST", f.members(), `{"user_id":"`+newcomer+`","role":"org:member"}`)
	f.mustCall(t, "DELETE", f.members()+"/"+newcomer, "")
	f.flush(t)

	type attempt struct {
		eventType       string
		attempt, status int
	}
	var got []attempt
	for _, d := range f.srv.WebhookDeliveries() {
		got = append(got, attempt{d.EventType, d.Attempt, d.Status})
	}
	assert.Equal(t, []attempt{
		{"organizationMembership.created", 1, 503},
		{"organizationMembership.created", 2, 503},
		{"organizationMembership.created", 3, 503},
		{"organizationMembership.created", 4, 503},
		{"organizationMembership.created", 5, 503},
		{"organizationMembership.deleted", 1, 200},
	}, got)
}

func TestAnEndpointNobodyListensOnIsAttemptedFiveTimesWithStatus0(t *testing.T) {
	f := newHookFixture(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	endpoint := "http://" + l.Addr().String() + "/hooks"
	require.NoError(t, l.Close())
	f.srv.AddWebhook(endpoint)
	f.mustCall(t, "DELETE", f.members()+"/"+f.member, "")
	f.flush(t)

	deliveries := f.srv.WebhookDeliveries()
	require.Len(t, deliveries, 5)
	for i, d := range deliveries {
		assert.Equal(t, clerktest.WebhookDelivery{URL: endpoint, EventID: deliveries[0].EventID,
			EventType: "organizationMembership.deleted", Attempt: i + 1, Status: 0}, d)
	}
}

func TestOnlyChangesThatTookEffectMakeEvents(t *testing.T) {
	f := newHookFixture(t)
	rc := newReceiver(t, nil)
	f.srv.AddWebhook(rc.URL)
	stranger := f.srv.AddUser(clerktest.User{})
	f.srv.AddMembership(f.org, f.srv.AddUser(clerktest.User{}), clerktest.RoleMember) // seeded: no event

	failures := []struct {
		name, method, path, body string
		status                   int
	}{
		{"updating an unknown membership", "PATCH", f.members() + "/" + stranger, `{"role":"org:admin"}`, 404},
		{"deleting an unknown membership", "DELETE", f.members() + "/user_nobody", "", 404},
		{"creating with an unknown role", "POST", f.members(), `{"user_id":"` + stranger + `","role":"org:nope"}`, 422},
		{"creating an existing membership", "POST", f.members(), `{"user_id":"` + f.member + `","role":"org:member"}`, 400},
		{"demoting the last admin", "PATCH", f.members() + "/" + f.admin, `{"role":"org:member"}`, 400},
		{"patching metadata past 8 KB", "PATCH", f.members() + "/" + f.member + "/metadata",
			`{"public_metadata":{"big":"` + strings.Repeat("x", 9000) + `"}}`, 422},
	}
	for _, tt := range failures {
		status, raw := f.call(t, tt.method, tt.path, tt.body)
		require.Equal(t, tt.status, status, "%s: %s", tt.name, raw)
	}
	f.srv.InjectFault(clerktest.Fault{Method: "DELETE", Status: 503})
	status, _ := f.call(t, "DELETE", f.members()+"/"+f.member, "")
	require.Equal(t, 503, status, "a fault answering instead of the server")
	f.flush(t)
	assert.Empty(t, rc.received())
	assert.Empty(t, f.srv.WebhookDeliveries())

	f.srv.InjectFault(clerktest.Fault{Method: "DELETE", Status: 503, AfterApplying: true})
	status, _ = f.call(t, "DELETE", f.members()+"/"+f.member, "")
	require.Equal(t, 503, status)
	f.flush(t)
	got := rc.received()
	require.Len(t, got, 1, "a change whose answer a fault replaced took effect all the same")
	assert.Equal(t, "organizationMembership.deleted", got[0].event(t).Type)
}

func TestASlowReceiverDoesNotSlowTheAPI(t *testing.T) {
	f := newHookFixture(t)
	release := make(chan struct{})
	rc := newReceiver(t, nil)
	rc.respond = blockUntil(release, rc.quit)
	f.srv.AddWebhook(rc.URL)

	start := time.Now()
	for i := range 3 {
		f.mustCall(t, "PATCH", f.members()+"/"+f.member+"/metadata", `{"public_metadata":{"n":`+strconv.Itoa(i)+`}}`)
	}
	elapsed := time.Since(start)
	close(release)
	assert.Less(t, elapsed, 500*time.Millisecond, "three API calls while the receiver holds its answer back")

	f.flush(t)
	assert.Len(t, rc.received(), 3)
}

func TestFlushWebhooksReturnsTheContextsErrorWhenItEndsFirst(t *testing.T) {
	f := newHookFixture(t)
	release := make(chan struct{})
	rc := newReceiver(t, nil)
	rc.respond = blockUntil(release, rc.quit)
	f.srv.AddWebhook(rc.URL)
	f.mustCall(t, "DELETE", f.members()+"/"+f.member, "")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, f.srv.FlushWebhooks(cancelled), context.Canceled)
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.srv.FlushWebhooks(short), context.DeadlineExceeded)

	close(release)
	f.flush(t)
	assert.Len(t, f.srv.WebhookDeliveries(), 1)
}

func TestFlushWebhooksWithoutEndpointsReturnsAtOnce(t *testing.T) {
	f := newHookFixture(t)
	f.mustCall(t, "DELETE", f.members()+"/"+f.member, "")
	f.flush(t)
	assert.Empty(t, f.srv.WebhookDeliveries())
}

func TestCloseReturnsWhileAReceiverHangs(t *testing.T) {
	srv := clerktest.NewServer()
	f := &hookFixture{srv: srv, org: srv.AddOrganization("Acme")}
	f.member = srv.AddUser(clerktest.User{})
	srv.AddMembership(f.org, f.member, clerktest.RoleMember)
	arrived := make(chan struct{}, 1)
	rc := newReceiver(t, nil)
	rc.respond = func(w http.ResponseWriter, r *http.Request, n int) {
		arrived <- struct{}{}
		blockUntil(nil, rc.quit)(w, r, n)
	}
	srv.AddWebhook(rc.URL)
	f.mustCall(t, "DELETE", f.members()+"/"+f.member, "")
	<-arrived

	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not return while a receiver hung")
	}
	assert.Empty(t, srv.WebhookDeliveries(), "the attempt Close cut short is not recorded")
	assert.Error(t, srv.FlushWebhooks(context.Background()), "the event was dropped")
	srv.Close() // twice is harmless
}

func TestAddWebhookGivesEachEndpointItsOwnSecret(t *testing.T) {
	srv := clerktest.NewServer()
	defer srv.Close()
	seen := map[string]bool{}
	for range 3 {
		secret := srv.AddWebhook("http://127.0.0.1:1/hooks")
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(secret, "whsec_"), secret)
		assert.Len(t, key, 24)
		assert.False(t, seen[secret], "a secret repeated")
		seen[secret] = true
	}
	for _, bad := range []string{"", "127.0.0.1:8080/hooks", "ftp://example.test/", "/hooks"} {
		assert.Panics(t, func() { srv.AddWebhook(bad) }, "%q", bad)
	}
}

func TestWebhookDeliveriesReturnsACopy(t *testing.T) {
	f := newHookFixture(t)
	rc := newReceiver(t, nil)
	target, err := url.JoinPath(rc.URL, "hooks")
	require.NoError(t, err)
	f.srv.AddWebhook(target)
	f.mustCall(t, "DELETE", f.members()+"/"+f.member, "")
	f.flush(t)
	got := f.srv.WebhookDeliveries()
	require.Len(t, got, 1)
	got[0].Status = 999
	assert.Equal(t, 200, f.srv.WebhookDeliveries()[0].Status)
	assert.Equal(t, target, f.srv.WebhookDeliveries()[0].URL)
}
