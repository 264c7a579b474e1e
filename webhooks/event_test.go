package webhooks

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testID = "msg_2g7np7Hrk0SN6kj5EDMLDaKNL0S"

// delivery returns a POST of body signed with secret at testNow.
func delivery(t testing.TB, secret, id, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(body))
	for k, vals := range signed(t, secret, id, testNow, body) {
		r.Header[k] = vals
	}
	return r
}

func TestParseRequestDecodesAMembershipEvent(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	e, err := v.ParseRequest(delivery(t, katSecret, testID, eventJSON(EventOrganizationMembershipCreated)))
	require.NoError(t, err)

	assert.Equal(t, testID, e.ID)
	assert.Equal(t, EventOrganizationMembershipCreated, e.Type)
	assert.Equal(t, "event", e.Object)
	assert.Equal(t, "ins_2g7np7Hrk0SN6kj5EDMLDaKNL0S", e.InstanceID)
	assert.Equal(t, int64(1716883200000), e.Timestamp)
	assert.Equal(t, &HTTPRequest{ClientIP: "192.0.2.1", UserAgent: "Mozilla/5.0 (test)"}, e.Attributes.HTTPRequest)
	assert.JSONEq(t, membershipJSON, string(e.Data))

	m, err := e.OrganizationMembership()
	require.NoError(t, err)
	var fromAPI clerk.OrganizationMembership // what the API's answer decodes to
	require.NoError(t, json.Unmarshal([]byte(membershipJSON), &fromAPI))
	assert.Equal(t, &fromAPI, m)
	assert.Equal(t, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S", m.ID)
	assert.Equal(t, "org:member", m.Role)
	assert.Equal(t, "acme-corp", m.Organization.Slug)
	assert.Equal(t, "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", m.PublicUserData.UserID)
	assert.Equal(t, int64(1716883200000), m.UpdatedAt)
}

func TestParseRequestLeavesAttributesEmptyWithoutARequest(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	body := `{"type":"organizationMembership.deleted","object":"event","data":` + membershipJSON + `,"event_attributes":{}}`
	e, err := v.ParseRequest(delivery(t, katSecret, testID, body))
	require.NoError(t, err)
	assert.Nil(t, e.Attributes.HTTPRequest)
}

func TestParseRequestRefuses(t *testing.T) {
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		want error
	}{
		{"a body that is not JSON, once it is verified", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, "<html>not json</html>")
		}, ErrInvalidEvent},
		{"an empty body", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, "")
		}, ErrInvalidEvent},
		{"a JSON value that is not an object", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, `["organizationMembership.created"]`)
		}, ErrInvalidEvent},
		{"a JSON null", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, `null`)
		}, ErrInvalidEvent},
		{"an event without a type", func(t *testing.T) *http.Request {
			return delivery(t, katSecret, testID, `{"object":"event","data":{}}`)
		}, ErrInvalidEvent},
		{"a body that is not JSON and not signed, as unsigned", func(t *testing.T) *http.Request {
			return delivery(t, otherSecret, testID, "<html>not json</html>")
		}, ErrInvalidSignature},
		{"a delivery without headers", func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/", strings.NewReader(eventJSON(EventOrganizationMembershipCreated)))
		}, ErrMissingHeaders},
		{"a body declared larger than MaxBodySize, without reading it", func(t *testing.T) *http.Request {
			r := delivery(t, katSecret, testID, "{}")
			r.ContentLength = MaxBodySize + 1
			r.Body = io.NopCloser(failingReader{})
			return r
		}, ErrBodyTooLarge},
		{"a body of unknown length larger than MaxBodySize", func(t *testing.T) *http.Request {
			body := `{"type":"x","pad":"` + strings.Repeat("x", MaxBodySize) + `"}`
			r := delivery(t, katSecret, testID, body)
			r.ContentLength = -1
			return r
		}, ErrBodyTooLarge},
		{"a body cut by an http.MaxBytesReader", func(t *testing.T) *http.Request {
			r := delivery(t, katSecret, testID, eventJSON(EventOrganizationMembershipCreated))
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 100)
			return r
		}, ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := newVerifier(t, testNow, katSecret)
			e, err := v.ParseRequest(tt.req(t))
			assert.Nil(t, e)
			require.ErrorIs(t, err, tt.want)
			for _, other := range []error{ErrMissingHeaders, ErrTimestampOutOfTolerance, ErrInvalidSignature, ErrBodyTooLarge, ErrInvalidEvent} {
				if other != tt.want {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
}

func TestParseRequestReportsAFailedReadAsItself(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	r := delivery(t, katSecret, testID, "{}")
	r.Body = io.NopCloser(failingReader{})
	_, err := v.ParseRequest(r)
	require.ErrorIs(t, err, errConnectionReset)
	assert.False(t, errorsIsAny(err, ErrMissingHeaders, ErrTimestampOutOfTolerance, ErrInvalidSignature, ErrBodyTooLarge, ErrInvalidEvent))
}

var errConnectionReset = errors.New("connection reset by peer")

// failingReader fails every read.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errConnectionReset }

func TestOrganizationMembership(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		data    string
		wantErr string // "" when it must succeed
		wantIs  error
	}{
		{"decodes a created event", EventOrganizationMembershipCreated, membershipJSON, "", nil},
		{"decodes an updated event", EventOrganizationMembershipUpdated, membershipJSON, "", nil},
		{"decodes a deleted event as the membership was", EventOrganizationMembershipDeleted, membershipJSON, "", nil},
		{"refuses another event type", "user.created", `{"id":"user_1"}`, `webhooks: a "user.created" event does not carry an organization membership`, nil},
		{"refuses a type that differs only in case", "organizationmembership.created", membershipJSON, `webhooks: a "organizationmembership.created" event does not carry an organization membership`, nil},
		{"refuses data that is absent", EventOrganizationMembershipCreated, "", "", ErrInvalidEvent},
		{"refuses null data", EventOrganizationMembershipDeleted, "null", "", ErrInvalidEvent},
		{"refuses data without a membership ID", EventOrganizationMembershipUpdated, `{"role":"org:admin"}`, "", ErrInvalidEvent},
		{"refuses data of the wrong JSON type", EventOrganizationMembershipCreated, `"orgmem_1"`, "", ErrInvalidEvent},
		{"refuses a field of the wrong JSON type", EventOrganizationMembershipCreated, `{"id":"orgmem_1","created_at":"yesterday"}`, "", ErrInvalidEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Event{ID: testID, Type: tt.typ, Data: json.RawMessage(tt.data)}
			m, err := e.OrganizationMembership()
			switch {
			case tt.wantErr != "":
				assert.Nil(t, m)
				require.EqualError(t, err, tt.wantErr)
			case tt.wantIs != nil:
				assert.Nil(t, m)
				require.ErrorIs(t, err, tt.wantIs)
			default:
				require.NoError(t, err)
				assert.Equal(t, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S", m.ID)
			}
		})
	}
}
