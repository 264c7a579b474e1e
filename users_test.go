package clerk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userJSON is a user in the shape of Clerk's OpenAPI document (User), with
// the required fields, two email addresses (the primary one second) and
// fields this module does not model.
const userJSON = `{
  "id": "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", "object": "user", "external_id": "hr-42",
  "primary_email_address_id": "idn_primary", "primary_phone_number_id": null, "primary_web3_wallet_id": null,
  "username": "jane", "first_name": "Jane", "last_name": "Doe", "locale": null,
  "profile_image_url": "https://img.clerk.com/jane", "image_url": "https://img.clerk.com/jane", "has_image": true,
  "public_metadata": {"big": 9007199254740993}, "private_metadata": {"hr": {"id": 42}}, "unsafe_metadata": {},
  "email_addresses": [
    {"id": "idn_old", "object": "email_address", "email_address": "jane@old.example", "reserved": false,
     "verification": null, "linked_to": [], "created_at": 1, "updated_at": 1},
    {"id": "idn_primary", "object": "email_address", "email_address": "Jane.Doe@Acme.com", "reserved": false,
     "verification": {"object": "verification_admin", "status": "verified", "strategy": "admin", "attempts": null, "expire_at": null},
     "linked_to": [], "created_at": 1, "updated_at": 1}
  ],
  "phone_numbers": [], "web3_wallets": [], "passkeys": [], "password_enabled": false, "two_factor_enabled": false,
  "totp_enabled": false, "backup_code_enabled": false, "mfa_enabled_at": null, "mfa_disabled_at": null,
  "external_accounts": [], "saml_accounts": [], "enterprise_accounts": [],
  "last_sign_in_at": 1700690400000, "banned": false, "locked": true, "lockout_expires_in_seconds": null,
  "verification_attempts_remaining": null, "updated_at": 1716883200001, "created_at": 1716883200000,
  "delete_self_enabled": true, "create_organization_enabled": true, "last_active_at": 1700690400000,
  "legal_accepted_at": null
}`

// nullUserJSON has every nullable field null and no email address.
const nullUserJSON = `{
  "id": "user_null", "object": "user", "external_id": null, "primary_email_address_id": null,
  "primary_phone_number_id": null, "primary_web3_wallet_id": null, "username": null, "first_name": null,
  "last_name": null, "image_url": "", "has_image": false, "public_metadata": {}, "private_metadata": null,
  "email_addresses": [], "phone_numbers": [], "web3_wallets": [], "passkeys": [], "password_enabled": false,
  "two_factor_enabled": false, "totp_enabled": false, "backup_code_enabled": false, "mfa_enabled_at": null,
  "mfa_disabled_at": null, "external_accounts": [], "saml_accounts": [], "enterprise_accounts": [],
  "last_sign_in_at": null, "banned": true, "locked": false, "lockout_expires_in_seconds": null,
  "verification_attempts_remaining": null, "updated_at": 2, "created_at": 1, "delete_self_enabled": false,
  "create_organization_enabled": false, "last_active_at": null, "mfa_enabled_at": null, "legal_accepted_at": null
}`

func TestUsersListSendsExactlyTheSpecifiedRequest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		params *ListUsersParams
		query  string
	}{
		{"nil params send no query", nil, ""},
		{"every filter goes out, arrays as repeated keys", &ListUsersParams{
			EmailAddresses: []string{"a@acme.com", "B+1@Acme.com"}, ExternalIDs: []string{"hr-1", "-hr-2"},
			UserIDs: []string{"user_1"}, OrganizationIDs: []string{"org_1", "+org_2"}, Query: "ja ne",
			OrderBy: "-last_active_at", Limit: 100, Offset: 200,
		}, "email_address=a%40acme.com&email_address=B%2B1%40Acme.com&external_id=hr-1&external_id=-hr-2" +
			"&limit=100&offset=200&order_by=-last_active_at&organization_id=org_1&organization_id=%2Borg_2&query=ja+ne&user_id=user_1"},
		{"a cursor goes out as starting_after", &ListUsersParams{StartingAfter: "user_9", OrderBy: "+created_at", Limit: 5}, "limit=5&order_by=%2Bcreated_at&starting_after=user_9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ops []string
			record := func(next Handler) Handler {
				return func(ctx context.Context, req *Request) (*Response, error) {
					ops = append(ops, OperationName(ctx))
					return next(ctx, req)
				}
			}
			c, api := newMockClient(t, []httpmock.Responder{jsonResponder(200, "[]", "Clerk-Trace-Id", "tr")}, WithMiddleware(record))
			users, resp, err := c.Users.List(ctx, tt.params)
			require.NoError(t, err)
			assert.Equal(t, []*User{}, users, "an empty answer is an empty slice")
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "tr", resp.TraceID)
			assert.Equal(t, []string{"GetUserList"}, ops)
			reqs := api.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "GET", reqs[0].Method)
			assert.Equal(t, "api.clerk.test", reqs[0].Host)
			assert.Equal(t, "/v1/users", reqs[0].Path)
			assert.Equal(t, tt.query, reqs[0].Query)
			assert.Empty(t, reqs[0].Body)
		})
	}
}

func TestUsersDecodeTheBareArrayWithEveryFieldAndNull(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{ok("[" + userJSON + "," + nullUserJSON + "]")})
	users, _, err := c.Users.List(context.Background(), &ListUsersParams{EmailAddresses: []string{"jane.doe@acme.com"}})
	require.NoError(t, err)
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	want := []*User{
		{
			Object: "user", ID: "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", ExternalID: str("hr-42"), Username: str("jane"),
			FirstName: str("Jane"), LastName: str("Doe"), ImageURL: "https://img.clerk.com/jane", HasImage: true,
			PrimaryEmailAddressID: str("idn_primary"),
			EmailAddresses: []*EmailAddress{
				{ID: "idn_old", EmailAddress: "jane@old.example"},
				{ID: "idn_primary", EmailAddress: "Jane.Doe@Acme.com", Verification: &EmailAddressVerification{Status: "verified", Strategy: "admin"}},
			},
			PublicMetadata: json.RawMessage(`{"big": 9007199254740993}`), PrivateMetadata: json.RawMessage(`{"hr": {"id": 42}}`),
			Locked: true, LastSignInAt: i64(1700690400000), LastActiveAt: i64(1700690400000),
			CreatedAt: 1716883200000, UpdatedAt: 1716883200001,
		},
		{
			Object: "user", ID: "user_null", EmailAddresses: []*EmailAddress{}, PublicMetadata: json.RawMessage(`{}`),
			PrivateMetadata: json.RawMessage(`null`), Banned: true, CreatedAt: 1, UpdatedAt: 2,
		},
	}
	assert.Equal(t, want, users)
	assert.Equal(t, "Jane.Doe@Acme.com", users[0].PrimaryEmailAddress(), "the address the primary ID names, not the first")
	assert.Equal(t, "", users[1].PrimaryEmailAddress(), "no primary address")
	assert.Equal(t, "", (*User)(nil).PrimaryEmailAddress())
	dangling := &User{PrimaryEmailAddressID: str("idn_gone"), EmailAddresses: []*EmailAddress{nil, {ID: "idn_x", EmailAddress: "x@y.z"}}}
	assert.Equal(t, "", dangling.PrimaryEmailAddress(), "an ID that names no address")
}

func TestInvalidUserListArgumentsReturnValidationErrorAndSendNothing(t *testing.T) {
	hundredAndOne := make([]string, 101)
	for i := range hundredAndOne {
		hundredAndOne[i] = "u" + strconv.Itoa(i) + "@acme.com"
	}
	var nilCtx context.Context
	tests := []struct {
		name, param string
		params      *ListUsersParams
		ctx         context.Context
	}{
		{"101 email addresses", "email_address", &ListUsersParams{EmailAddresses: hundredAndOne}, nil},
		{"101 external IDs", "external_id", &ListUsersParams{ExternalIDs: hundredAndOne}, nil},
		{"101 user IDs", "user_id", &ListUsersParams{UserIDs: hundredAndOne}, nil},
		{"101 organization IDs", "organization_id", &ListUsersParams{OrganizationIDs: hundredAndOne}, nil},
		{"an email filter without an @", "email_address", &ListUsersParams{EmailAddresses: []string{"a@acme.com", "jane"}}, nil},
		{"an email filter without a domain", "email_address", &ListUsersParams{EmailAddresses: []string{"jane@"}}, nil},
		{"a limit above 500", "limit", &ListUsersParams{Limit: 501}, nil},
		{"a negative offset", "offset", &ListUsersParams{Offset: -1}, nil},
		{"a cursor with an offset", "starting_after", &ListUsersParams{StartingAfter: "user_1", Offset: 10}, nil},
		{"a cursor with another ordering", "starting_after", &ListUsersParams{StartingAfter: "user_1", OrderBy: "username"}, nil},
		{"a nil context", "ctx", nil, nilCtx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if tt.param != "ctx" {
				ctx = context.Background()
			}
			c, api := newMockClient(t, []httpmock.Responder{ok("[]")})
			users, resp, err := c.Users.List(ctx, tt.params)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Nil(t, users)
			assert.Nil(t, resp)
			assert.Empty(t, api.Requests())
		})
	}
	t.Run("exactly 100 values are accepted", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{ok("[]")})
		_, _, err := c.Users.List(context.Background(), &ListUsersParams{EmailAddresses: hundredAndOne[:100], UserIDs: hundredAndOne[:100]})
		require.NoError(t, err)
		require.Len(t, api.Requests(), 1)
		assert.Equal(t, 200, strings.Count(api.Requests()[0].Query, "%40acme.com"))
	})
}

func TestUsersListErrorsAreTypedAPIErrors(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{status(422)})
	users, resp, err := c.Users.List(context.Background(), nil)
	assert.ErrorIs(t, err, ErrUnprocessable)
	assert.Nil(t, users)
	require.NotNil(t, resp)
	assert.Equal(t, 422, resp.StatusCode)
}

// pagedUsers serves n users "u0".."u(n-1)", oldest first when asked for
// +created_at and newest first otherwise, by limit and offset or by
// starting_after.
func pagedUsers(n int) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		order := make([]string, n)
		for i := range order {
			order[i] = fmt.Sprintf("u%d", i)
			if q.Get("order_by") != "+created_at" && q.Get("order_by") != "username" {
				order[i] = fmt.Sprintf("u%d", n-1-i)
			}
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		if limit == 0 {
			limit = 10
		}
		start, _ := strconv.Atoi(q.Get("offset"))
		if after := q.Get("starting_after"); after != "" {
			for i, id := range order {
				if id == after {
					start = i + 1
				}
			}
		}
		var items []string
		for _, id := range order[min(start, n):min(start+limit, n)] {
			items = append(items, `{"id":"`+id+`","object":"user","email_addresses":[],"public_metadata":{},"created_at":1,"updated_at":1}`)
		}
		return ok("[" + strings.Join(items, ",") + "]")(req)
	}
}

func collectUsers(t *testing.T, c *Client, p *ListUsersParams) ([]string, error) {
	t.Helper()
	var out []string
	for u, err := range c.Users.All(context.Background(), p) {
		if err != nil {
			require.Nil(t, u)
			return out, err
		}
		out = append(out, u.ID)
	}
	return out, nil
}

func TestUsersAllPagesUntilAShortPage(t *testing.T) {
	t.Run("with Clerk's default ordering each page after the first is asked for by cursor", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(9)})
		got, err := collectUsers(t, c, &ListUsersParams{Limit: 3, Offset: 1, Query: "x"})
		require.NoError(t, err)
		assert.Equal(t, []string{"u7", "u6", "u5", "u4", "u3", "u2", "u1", "u0"}, got)
		assert.Equal(t, []string{"limit=3&offset=1&query=x", "limit=3&query=x&starting_after=u5",
			"limit=3&query=x&starting_after=u2"}, queries(api), "the third page is short, so the walk ends without a fourth request")
	})
	t.Run("a full last page costs one more, empty, request", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(6)})
		got, err := collectUsers(t, c, &ListUsersParams{Limit: 3, OrderBy: "+created_at"})
		require.NoError(t, err)
		assert.Equal(t, []string{"u0", "u1", "u2", "u3", "u4", "u5"}, got)
		assert.Equal(t, []string{"limit=3&order_by=%2Bcreated_at", "limit=3&order_by=%2Bcreated_at&starting_after=u2",
			"limit=3&order_by=%2Bcreated_at&starting_after=u5"}, queries(api))
	})
	t.Run("with another ordering it pages by offset", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(5)})
		got, err := collectUsers(t, c, &ListUsersParams{Limit: 2, OrderBy: "username"})
		require.NoError(t, err)
		assert.Equal(t, []string{"u0", "u1", "u2", "u3", "u4"}, got)
		assert.Equal(t, []string{"limit=2&order_by=username", "limit=2&offset=2&order_by=username", "limit=2&offset=4&order_by=username"}, queries(api))
	})
	t.Run("pages are 500 users unless a limit is given", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(700)})
		got, err := collectUsers(t, c, nil)
		require.NoError(t, err)
		assert.Len(t, got, 700)
		assert.Equal(t, []string{"limit=500", "limit=500&starting_after=u200"}, queries(api))
	})
	t.Run("breaking out of the loop stops fetching", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(100)})
		for range c.Users.All(context.Background(), &ListUsersParams{Limit: 10}) {
			break
		}
		assert.Len(t, api.Requests(), 1)
	})
	t.Run("an error is yielded once and ends the walk", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(100), status(400)})
		got, err := collectUsers(t, c, &ListUsersParams{Limit: 10})
		assert.ErrorIs(t, err, ErrBadRequest)
		assert.Len(t, got, 10)
		assert.Len(t, api.Requests(), 2)
	})
	t.Run("a full page whose last user has no ID ends the walk with an error", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{ok(`[{"id":"u1","object":"user"},{"object":"user"}]`)})
		got, err := collectUsers(t, c, &ListUsersParams{Limit: 2})
		assert.ErrorContains(t, err, "without an ID")
		assert.Equal(t, []string{"u1", ""}, got)
		assert.Len(t, api.Requests(), 1)
	})
	t.Run("invalid params are yielded without a request and the caller's are kept", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedUsers(10)})
		p := &ListUsersParams{UserIDs: make([]string, 101)}
		_, err := collectUsers(t, c, p)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "user_id", verr.Param)
		assert.Empty(t, api.Requests())
		assert.Zero(t, p.Limit)
	})
}
