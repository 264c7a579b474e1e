package webhooks

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The Standard Webhooks known answer (spec/API.md §11.2).
const (
	katSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	katID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	katTimestamp = 1614265330
	katBody      = `{"test": 2432232314}`
	katSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// otherSecret is a valid secret that signed nothing the tests expect to pass.
const otherSecret = "whsec_c2VjcmV0IG9mIGFub3RoZXIgZW5kcG9pbnQ="

// testNow is the clock of most tests: the created_at of the example
// membership.
var testNow = time.Unix(1716883200, 0)

// membershipJSON is the organizationMembership.created example of
// spec/API.md §5.6.
const membershipJSON = `{
  "object": "organization_membership",
  "id": "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "role": "org:member",
  "role_name": "Member",
  "permissions": ["org:posts:read", "org:posts:write"],
  "public_metadata": {},
  "private_metadata": {},
  "organization": {
    "object": "organization", "id": "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    "name": "Acme Corp", "slug": "acme-corp", "image_url": "https://img.clerk.com/xxxxxx",
    "has_image": true, "members_count": 2, "missing_member_with_elevated_permissions": false,
    "pending_invitations_count": 0, "max_allowed_memberships": 5, "admin_delete_enabled": true,
    "public_metadata": {}, "private_metadata": {}, "created_by": "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
    "created_at": 1716883200000, "updated_at": 1716883200000
  },
  "public_user_data": {
    "user_id": "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", "first_name": "Jane", "last_name": "Doe",
    "profile_image_url": "https://img.clerk.com/yyyyy", "image_url": "https://img.clerk.com/yyyyy",
    "has_image": true, "identifier": "jane.doe@acme.com"
  },
  "created_at": 1716883200000,
  "updated_at": 1716883200000
}`

// eventJSON is a delivery body of the given type carrying membershipJSON.
func eventJSON(eventType string) string {
	return `{"data": ` + membershipJSON + `, "object": "event", "type": "` + eventType + `",
  "timestamp": 1716883200000, "instance_id": "ins_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "event_attributes": {"http_request": {"client_ip": "192.0.2.1", "user_agent": "Mozilla/5.0 (test)"}}}`
}

// clock is a settable clock for a Verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newVerifier returns a Verifier of secrets whose clock reads now until
// advanced.
func newVerifier(t testing.TB, now time.Time, secrets ...string) (*Verifier, *clock) {
	t.Helper()
	v, err := NewVerifier(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: now}
	v.now = c.now
	return v, c
}

// signed returns the svix-* headers of a delivery of body signed with secret
// at time ts.
func signed(t testing.TB, secret, id string, ts time.Time, body string) http.Header {
	t.Helper()
	sig, err := Sign(secret, id, ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("svix-id", id)
	h.Set("svix-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("svix-signature", sig)
	return h
}
