package clerk

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const (
	testKey     = "sk_test_S3cr3tV4lu3DoNotLeak"
	testBaseURL = "https://api.clerk.test/v1/"
)

// fastRetries keeps retry waits in milliseconds so that tests stay quick.
var fastRetries = RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}

// seen is what the mock server received in one request.
type seen struct {
	Method  string
	Host    string
	Path    string // escaped, as sent on the wire
	Query   string // raw query
	Body    string
	Header  http.Header
	Attempt int
}

// mockAPI answers requests with the queued responders, one per request; the
// last responder answers every request after the queue runs out.
type mockAPI struct {
	mu         sync.Mutex
	requests   []seen
	responders []httpmock.Responder
}

func (m *mockAPI) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	m.mu.Lock()
	n := len(m.requests)
	m.requests = append(m.requests, seen{
		Method: req.Method, Host: req.URL.Host, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery,
		Body: string(body), Header: req.Header.Clone(), Attempt: n + 1,
	})
	r := m.responders[min(n, len(m.responders)-1)]
	m.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	return r(req)
}

func (m *mockAPI) Requests() []seen {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seen(nil), m.requests...)
}

// newMockClient returns a Client whose attempts all go to a mock transport
// answering with responders in turn, and the record of what it received.
func newMockClient(t *testing.T, responders []httpmock.Responder, opts ...Option) (*Client, *mockAPI) {
	t.Helper()
	api := &mockAPI{responders: responders}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(api.respond)
	base := []Option{
		WithBaseURL(testBaseURL),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithRetryPolicy(fastRetries),
	}
	c, err := NewClient(testKey, append(base, opts...)...)
	require.NoError(t, err)
	return c, api
}

// jsonResponder answers with status and body as application/json, plus
// header pairs.
func jsonResponder(status int, body string, header ...string) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			resp.Header.Set(header[i], header[i+1])
		}
		resp.Request = req
		return resp, nil
	}
}

func ok(body string) httpmock.Responder { return jsonResponder(200, body) }

// membershipJSON is a membership as Clerk returns it, in the spec's shape.
const membershipJSON = `{
  "object": "organization_membership",
  "id": "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "role": "org:member",
  "role_name": "Member",
  "permissions": ["org:posts:read", "org:posts:write"],
  "public_metadata": {"big": 9007199254740993, "z": 1, "a": 2},
  "private_metadata": {},
  "organization": {
    "object": "organization", "id": "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    "name": "Acme Corp", "slug": "acme-corp", "image_url": "https://img.clerk.com/xxxxxx",
    "has_image": true, "members_count": 2, "missing_member_with_elevated_permissions": false,
    "pending_invitations_count": 0, "max_allowed_memberships": 5, "admin_delete_enabled": true,
    "public_metadata": {}, "private_metadata": {}, "created_by": "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    "created_at": 1716883200000, "updated_at": 1716883200001, "last_active_at": 1716883200002,
    "role_set_key": null, "some_future_field": true
  },
  "public_user_data": {
    "user_id": "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", "first_name": "Jane", "last_name": null,
    "profile_image_url": "https://img.clerk.com/yyyyy", "image_url": "https://img.clerk.com/yyyyy",
    "has_image": true, "identifier": "jane.doe@acme.com", "username": "jane", "banned": false, "deprovisioned": true
  },
  "created_at": 1716883200000,
  "updated_at": 1716883200005
}`

// pageJSON is a list envelope with the given members (JSON objects) and total.
func pageJSON(total int, members ...string) string {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, m := range members {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(m)
	}
	b.WriteString(`],"total_count":`)
	b.WriteString(strconv.Itoa(total))
	b.WriteString("}")
	return b.String()
}

// memberJSON is a small membership with the given ID.
func memberJSON(id string) string {
	return `{"object":"organization_membership","id":"` + id + `","role":"org:member","permissions":[],"public_metadata":{},"organization":{"object":"organization","id":"org_1","name":"A","slug":"a","has_image":false,"max_allowed_memberships":0,"admin_delete_enabled":true,"public_metadata":{},"created_at":1,"updated_at":1},"created_at":1,"updated_at":1}`
}
