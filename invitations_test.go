package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invitationJSON is an invitation in the shape of Clerk's OpenAPI document
// (OrganizationInvitation), with every field set, an unknown field and
// metadata that only raw JSON keeps exactly.
const invitationJSON = `{
  "object": "organization_invitation",
  "id": "orginv_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "email_address": "jane.doe@acme.com",
  "role": "org:member",
  "role_name": "Member",
  "organization_id": "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "inviter_id": "user_2h8op3Isl1QR7tKu5FGNfaLKEoU",
  "public_inviter_data": {
    "user_id": "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", "first_name": "Ada", "last_name": null,
    "image_url": "https://img.clerk.com/ada", "has_image": true, "identifier": "ada@acme.com"
  },
  "status": "pending",
  "public_metadata": {"big": 9007199254740993, "z": 1, "a": 2},
  "private_metadata": {"cost_center": "eng"},
  "url": "https://accounts.acme.com/invite?ticket=abc",
  "expires_at": 1719475200000,
  "created_at": 1716883200000,
  "updated_at": 1716883200001,
  "some_future_field": true
}`

// nullInvitationJSON has every nullable field of OrganizationInvitation null
// and no private_metadata, as for an invitation the Backend API sent.
const nullInvitationJSON = `{
  "object": "organization_invitation", "id": "orginv_null", "email_address": "x@y.z",
  "role": "org:admin", "role_name": "Admin", "organization_id": "org_1",
  "inviter_id": null, "public_inviter_data": null, "status": "revoked",
  "public_metadata": {}, "url": null, "expires_at": null,
  "created_at": 1, "updated_at": 2
}`

// instanceInvitationJSON is an OrganizationInvitationWithPublicOrganizationData.
const instanceInvitationJSON = `{
  "object": "organization_invitation", "id": "orginv_inst", "email_address": "x@y.z",
  "role": "org:member", "role_name": "Member", "organization_id": "org_1",
  "inviter_id": null, "public_inviter_data": null, "status": "accepted",
  "public_metadata": {}, "private_metadata": {}, "url": null, "expires_at": null,
  "created_at": 1, "updated_at": 2,
  "public_organization_data": {"id": "org_1", "name": "Acme Corp", "slug": "acme-corp", "image_url": "https://img.clerk.com/org", "has_image": true}
}`

func invitationPageJSON(total int, invitations ...string) string {
	return pageJSON(total, invitations...)
}

func smallInvitationJSON(id string) string {
	return `{"object":"organization_invitation","id":"` + id + `","email_address":"a@b.c","role":"org:member","role_name":"Member","organization_id":"org_1","inviter_id":null,"public_inviter_data":null,"status":"pending","public_metadata":{},"url":null,"expires_at":null,"created_at":1,"updated_at":1}`
}

func TestEachInvitationOperationSendsExactlyTheSpecifiedRequest(t *testing.T) {
	ctx := context.Background()
	no := false
	tests := []struct {
		name   string
		call   func(s *OrganizationInvitationsService) (*Response, error)
		op     string
		method string
		path   string
		query  string
		body   string // "" means no body
		reply  string
	}{
		{
			name: "Create posts the email address and the role to the organization's invitations",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.Create(ctx, "org_1", CreateOrganizationInvitationParams{EmailAddress: "jane@acme.com", Role: "org:member"})
				return r, err
			},
			op: "CreateOrganizationInvitation", method: "POST", path: "/v1/organizations/org_1/invitations",
			body: `{"email_address":"jane@acme.com","role":"org:member"}`,
		},
		{
			name: "Create sends every optional field, metadata nulls kept, notify false kept",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.Create(ctx, "org_1", CreateOrganizationInvitationParams{
					EmailAddress: "jane@acme.com", Role: "org:admin", InviterUserID: "user_9",
					PublicMetadata: map[string]any{"team": map[string]any{"lead": nil}}, PrivateMetadata: map[string]any{},
					RedirectURL: "https://app.acme.com/welcome", ExpiresInDays: 7, Notify: &no,
				})
				return r, err
			},
			op: "CreateOrganizationInvitation", method: "POST", path: "/v1/organizations/org_1/invitations",
			body: `{"email_address":"jane@acme.com","role":"org:admin","inviter_user_id":"user_9","public_metadata":{"team":{"lead":null}},` +
				`"private_metadata":{},"redirect_url":"https://app.acme.com/welcome","expires_in_days":7,"notify":false}`,
		},
		{
			name: "CreateBulk posts a JSON array to invitations/bulk",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.CreateBulk(ctx, "org_1", []CreateOrganizationInvitationParams{
					{EmailAddress: "a@acme.com", Role: "org:member"}, {EmailAddress: "b@acme.com", Role: "org:admin", ExpiresInDays: 365},
				})
				return r, err
			},
			op: "CreateOrganizationInvitationBulk", method: "POST", path: "/v1/organizations/org_1/invitations/bulk",
			body:  `[{"email_address":"a@acme.com","role":"org:member"},{"email_address":"b@acme.com","role":"org:admin","expires_in_days":365}]`,
			reply: invitationPageJSON(2, invitationJSON, nullInvitationJSON),
		},
		{
			name: "Get reads one invitation without a body",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.Get(ctx, "org_1", "orginv_1")
				return r, err
			},
			op: "GetOrganizationInvitation", method: "GET", path: "/v1/organizations/org_1/invitations/orginv_1",
		},
		{
			name: "Revoke posts an empty object to the invitation's revoke",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.Revoke(ctx, "org_1", "orginv_1", RevokeOrganizationInvitationParams{})
				return r, err
			},
			op: "RevokeOrganizationInvitation", method: "POST", path: "/v1/organizations/org_1/invitations/orginv_1/revoke", body: `{}`,
		},
		{
			name: "Revoke sends the requesting user",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.Revoke(ctx, "org_1", "orginv_1", RevokeOrganizationInvitationParams{RequestingUserID: "user_1"})
				return r, err
			},
			op: "RevokeOrganizationInvitation", method: "POST", path: "/v1/organizations/org_1/invitations/orginv_1/revoke",
			body: `{"requesting_user_id":"user_1"}`,
		},
		{
			name: "List with nil params sends no query",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.List(ctx, "org_1", nil)
				return r, err
			},
			op: "ListOrganizationInvitations", method: "GET", path: "/v1/organizations/org_1/invitations", reply: invitationPageJSON(0),
		},
		{
			name: "List sends status, email_address, order_by, limit and offset",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.List(ctx, "org_1", &ListOrganizationInvitationsParams{Status: "pending", EmailAddress: "j+1@acme.com", OrderBy: "+email_address", Limit: 50, Offset: 100})
				return r, err
			},
			op: "ListOrganizationInvitations", method: "GET", path: "/v1/organizations/org_1/invitations",
			query: "email_address=j%2B1%40acme.com&limit=50&offset=100&order_by=%2Bemail_address&status=pending", reply: invitationPageJSON(0),
		},
		{
			name: "ListForInstance with nil params sends no query",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.ListForInstance(ctx, nil)
				return r, err
			},
			op: "ListInstanceOrganizationInvitations", method: "GET", path: "/v1/organization_invitations", reply: invitationPageJSON(0),
		},
		{
			name: "ListForInstance sends status, query, order_by, limit and offset",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.ListForInstance(ctx, &ListInstanceOrganizationInvitationsParams{Status: "expired", Query: "acme com", OrderBy: "-created_at", Limit: 500, Offset: 1})
				return r, err
			},
			op: "ListInstanceOrganizationInvitations", method: "GET", path: "/v1/organization_invitations",
			query: "limit=500&offset=1&order_by=-created_at&query=acme+com&status=expired", reply: invitationPageJSON(0),
		},
		{
			name: "ListForUser sends status, limit and offset to the user's organization_invitations",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.ListForUser(ctx, "user_1", &ListUserOrganizationInvitationsParams{Status: "accepted", Limit: 20, Offset: 40})
				return r, err
			},
			op: "UsersGetOrganizationInvitations", method: "GET", path: "/v1/users/user_1/organization_invitations",
			query: "limit=20&offset=40&status=accepted", reply: invitationPageJSON(0),
		},
		{
			name: "ListForUser with nil params sends no query",
			call: func(s *OrganizationInvitationsService) (*Response, error) {
				_, r, err := s.ListForUser(ctx, "user_1", nil)
				return r, err
			},
			op: "UsersGetOrganizationInvitations", method: "GET", path: "/v1/users/user_1/organization_invitations", reply: invitationPageJSON(0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := tt.reply
			if reply == "" {
				reply = invitationJSON
			}
			var ops []string
			var mu sync.Mutex
			record := func(next Handler) Handler {
				return func(ctx context.Context, req *Request) (*Response, error) {
					mu.Lock()
					ops = append(ops, OperationName(ctx))
					mu.Unlock()
					return next(ctx, req)
				}
			}
			c, api := newMockClient(t, []httpmock.Responder{jsonResponder(200, reply, "Clerk-Trace-Id", "trace-ok")}, WithMiddleware(record))
			resp, err := tt.call(c.OrganizationInvitations)
			require.NoError(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "trace-ok", resp.TraceID)
			assert.Equal(t, 1, resp.Attempts)
			assert.Equal(t, []string{tt.op}, ops, "the operation is named by its operationId")

			reqs := api.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, "api.clerk.test", got.Host)
			assert.Equal(t, tt.path, got.Path)
			assert.Equal(t, tt.query, got.Query)
			assert.Equal(t, tt.body, got.Body)
			assert.Equal(t, "Bearer "+testKey, got.Header.Get("Authorization"))
			if tt.body == "" {
				assert.Empty(t, got.Header.Get("Content-Type"))
			} else {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestInvitationsDecodeEveryFieldOfTheSpecIncludingNulls(t *testing.T) {
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	full := &OrganizationInvitation{
		Object: "organization_invitation", ID: "orginv_2g7np7Hrk0SN6kj5EDMLDaKNL0S", EmailAddress: "jane.doe@acme.com",
		Role: "org:member", RoleName: "Member", OrganizationID: "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
		InviterID: str("user_2h8op3Isl1QR7tKu5FGNfaLKEoU"),
		PublicInviterData: &OrganizationInvitationPublicUserData{
			UserID: "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", FirstName: str("Ada"), LastName: nil,
			ImageURL: "https://img.clerk.com/ada", HasImage: true, Identifier: "ada@acme.com",
		},
		Status:          "pending",
		PublicMetadata:  json.RawMessage(`{"big": 9007199254740993, "z": 1, "a": 2}`),
		PrivateMetadata: json.RawMessage(`{"cost_center": "eng"}`),
		URL:             str("https://accounts.acme.com/invite?ticket=abc"), ExpiresAt: i64(1719475200000),
		CreatedAt: 1716883200000, UpdatedAt: 1716883200001,
	}
	nulls := &OrganizationInvitation{
		Object: "organization_invitation", ID: "orginv_null", EmailAddress: "x@y.z", Role: "org:admin", RoleName: "Admin",
		OrganizationID: "org_1", Status: "revoked", PublicMetadata: json.RawMessage(`{}`), CreatedAt: 1, UpdatedAt: 2,
	}
	withOrg := &OrganizationInvitation{
		Object: "organization_invitation", ID: "orginv_inst", EmailAddress: "x@y.z", Role: "org:member", RoleName: "Member",
		OrganizationID: "org_1", Status: "accepted", PublicMetadata: json.RawMessage(`{}`), PrivateMetadata: json.RawMessage(`{}`),
		PublicOrganizationData: &OrganizationInvitationPublicOrganizationData{
			ID: "org_1", Name: "Acme Corp", Slug: "acme-corp", ImageURL: "https://img.clerk.com/org", HasImage: true,
		},
		CreatedAt: 1, UpdatedAt: 2,
	}
	ctx := context.Background()

	t.Run("a full invitation keeps metadata byte for byte and ignores unknown fields", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{ok(invitationJSON)})
		got, _, err := c.OrganizationInvitations.Get(ctx, "org_1", "orginv_1")
		require.NoError(t, err)
		assert.Equal(t, full, got)
	})
	t.Run("nulls become nil pointers and an absent private_metadata stays nil", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{ok(nullInvitationJSON)})
		got, _, err := c.OrganizationInvitations.Revoke(ctx, "org_1", "orginv_null", RevokeOrganizationInvitationParams{})
		require.NoError(t, err)
		assert.Equal(t, nulls, got)
	})
	t.Run("a bulk answer is a list envelope in the order given", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{ok(invitationPageJSON(2, invitationJSON, nullInvitationJSON))})
		got, _, err := c.OrganizationInvitations.CreateBulk(ctx, "org_1", []CreateOrganizationInvitationParams{
			{EmailAddress: "jane.doe@acme.com", Role: "org:member"}, {EmailAddress: "x@y.z", Role: "org:admin"}})
		require.NoError(t, err)
		assert.Equal(t, &OrganizationInvitations{Data: []*OrganizationInvitation{full, nulls}, TotalCount: 2}, got)
	})
	t.Run("the instance and per-user lists carry public_organization_data", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{ok(invitationPageJSON(7, instanceInvitationJSON))})
		got, _, err := c.OrganizationInvitations.ListForInstance(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, &OrganizationInvitations{Data: []*OrganizationInvitation{withOrg}, TotalCount: 7}, got)
		got, _, err = c.OrganizationInvitations.ListForUser(ctx, "user_1", nil)
		require.NoError(t, err)
		assert.Equal(t, &OrganizationInvitations{Data: []*OrganizationInvitation{withOrg}, TotalCount: 7}, got)
	})
}

func TestInvitationIDsAreSentAsOneEscapedPathSegment(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(invitationJSON)})
	ctx := context.Background()
	_, _, err := c.OrganizationInvitations.Revoke(ctx, "org_1/../../users", "inv?x=1#f", RevokeOrganizationInvitationParams{})
	require.NoError(t, err)
	_, _, err = c.OrganizationInvitations.Get(ctx, "org 1", "../x")
	require.NoError(t, err)
	_, _, err = c.OrganizationInvitations.ListForUser(ctx, "user/1", nil)
	require.NoError(t, err)
	reqs := api.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "/v1/organizations/org_1%2F..%2F..%2Fusers/invitations/inv%3Fx=1%23f/revoke", reqs[0].Path)
	assert.Equal(t, "/v1/organizations/org%201/invitations/..%2Fx", reqs[1].Path)
	assert.Equal(t, "/v1/users/user%2F1/organization_invitations", reqs[2].Path)
	for _, r := range reqs {
		assert.Empty(t, r.Query)
		assert.Equal(t, "api.clerk.test", r.Host)
	}
}

func TestInvalidInvitationArgumentsReturnValidationErrorAndSendNothing(t *testing.T) {
	ctx := context.Background()
	var nilCtx context.Context
	valid := CreateOrganizationInvitationParams{EmailAddress: "jane@acme.com", Role: "org:member"}
	with := func(f func(p *CreateOrganizationInvitationParams)) CreateOrganizationInvitationParams {
		p := valid
		f(&p)
		return p
	}
	create := func(p CreateOrganizationInvitationParams) func(s *OrganizationInvitationsService) (*Response, error) {
		return func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Create(ctx, "org_1", p)
			return r, err
		}
	}
	bulk := func(n int, bad ...CreateOrganizationInvitationParams) func(s *OrganizationInvitationsService) (*Response, error) {
		return func(s *OrganizationInvitationsService) (*Response, error) {
			ps := make([]CreateOrganizationInvitationParams, n)
			for i := range ps {
				ps[i] = with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "p" + strconv.Itoa(i) + "@acme.com" })
			}
			_, r, err := s.CreateBulk(ctx, "org_1", append(ps, bad...))
			return r, err
		}
	}
	tests := []struct {
		name, param string
		call        func(s *OrganizationInvitationsService) (*Response, error)
	}{
		{"an empty organization ID on Create", "organization_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Create(ctx, "", valid)
			return r, err
		}},
		{"an empty email address on Create", "email_address", create(with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "" }))},
		{"an email address without an @", "email_address", create(with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "jane.acme.com" }))},
		{"an email address with two @", "email_address", create(with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "jane@acme@com" }))},
		{"an email address without a local part", "email_address", create(with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "@acme.com" }))},
		{"an email address without a domain", "email_address", create(with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "jane@" }))},
		{"an empty role on Create", "role", create(with(func(p *CreateOrganizationInvitationParams) { p.Role = "" }))},
		{"expires_in_days above 365", "expires_in_days", create(with(func(p *CreateOrganizationInvitationParams) { p.ExpiresInDays = 366 }))},
		{"a negative expires_in_days", "expires_in_days", create(with(func(p *CreateOrganizationInvitationParams) { p.ExpiresInDays = -1 }))},
		{"metadata that cannot be JSON on Create", "metadata", create(with(func(p *CreateOrganizationInvitationParams) {
			p.PrivateMetadata = map[string]any{"f": func() {}}
		}))},
		{"a nil context on Create", "ctx", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Create(nilCtx, "org_1", valid)
			return r, err
		}},
		{"no invitations on CreateBulk", "invitations", bulk(0)},
		{"eleven invitations on CreateBulk", "invitations", bulk(11)},
		{"a bad email address in a bulk", "email_address", bulk(3, with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "nobody" }))},
		{"a missing role in a bulk", "role", bulk(9, with(func(p *CreateOrganizationInvitationParams) { p.Role = "" }))},
		{"metadata that cannot be JSON in a bulk", "metadata", bulk(1, with(func(p *CreateOrganizationInvitationParams) {
			p.EmailAddress, p.PublicMetadata = "z@acme.com", map[string]any{"c": make(chan int)}
		}))},
		{"a dot-dot organization ID on CreateBulk", "organization_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.CreateBulk(ctx, "..", []CreateOrganizationInvitationParams{valid})
			return r, err
		}},
		{"an empty invitation ID on Get", "invitation_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Get(ctx, "org_1", "")
			return r, err
		}},
		{"a dot organization ID on Get", "organization_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Get(ctx, ".", "orginv_1")
			return r, err
		}},
		{"a control character in an invitation ID on Revoke", "invitation_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Revoke(ctx, "org_1", "orginv\n1", RevokeOrganizationInvitationParams{})
			return r, err
		}},
		{"an empty organization ID on List", "organization_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.List(ctx, "", nil)
			return r, err
		}},
		{"a limit above 500 on List", "limit", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.List(ctx, "org_1", &ListOrganizationInvitationsParams{Limit: 501})
			return r, err
		}},
		{"a negative offset on List", "offset", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.List(ctx, "org_1", &ListOrganizationInvitationsParams{Offset: -1})
			return r, err
		}},
		{"an email filter that is not an address on List", "email_address", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.List(ctx, "org_1", &ListOrganizationInvitationsParams{EmailAddress: "jane"})
			return r, err
		}},
		{"a negative limit on ListForInstance", "limit", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.ListForInstance(ctx, &ListInstanceOrganizationInvitationsParams{Limit: -1})
			return r, err
		}},
		{"a nil context on ListForInstance", "ctx", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.ListForInstance(nilCtx, nil)
			return r, err
		}},
		{"a dot-dot user ID on ListForUser", "user_id", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.ListForUser(ctx, "..", nil)
			return r, err
		}},
		{"a negative offset on ListForUser", "offset", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.ListForUser(ctx, "user_1", &ListUserOrganizationInvitationsParams{Offset: -3})
			return r, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{ok(invitationJSON)})
			resp, err := tt.call(c.OrganizationInvitations)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Contains(t, err.Error(), "clerk: invalid "+tt.param+": ")
			assert.Nil(t, resp)
			assert.Empty(t, api.Requests(), "nothing may be sent")
		})
	}
	t.Run("a bulk error names the invitation at fault", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{ok(invitationJSON)})
		_, err := bulk(3, with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress = "nobody" }))(c.OrganizationInvitations)
		assert.ErrorContains(t, err, "invitation 3: ")
	})
	t.Run("ten invitations and 1 or 365 days are accepted", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{ok(invitationPageJSON(0))})
		_, err := bulk(8, with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress, p.ExpiresInDays = "x@acme.com", 1 }),
			with(func(p *CreateOrganizationInvitationParams) { p.EmailAddress, p.ExpiresInDays = "y@acme.com", 365 }))(c.OrganizationInvitations)
		require.NoError(t, err)
		require.Len(t, api.Requests(), 1)
		var sent []map[string]any
		require.NoError(t, json.Unmarshal([]byte(api.Requests()[0].Body), &sent))
		assert.Len(t, sent, 10)
	})
}

func TestInvitationPostsAreNotRetriedAfterAFailureThatMayHaveActed(t *testing.T) {
	ctx := context.Background()
	posts := []struct {
		name string
		call func(s *OrganizationInvitationsService) (*Response, error)
	}{
		{"Create", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Create(ctx, "org_1", CreateOrganizationInvitationParams{EmailAddress: "a@b.c", Role: "org:member"})
			return r, err
		}},
		{"CreateBulk", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.CreateBulk(ctx, "org_1", []CreateOrganizationInvitationParams{{EmailAddress: "a@b.c", Role: "org:member"}})
			return r, err
		}},
		{"Revoke", func(s *OrganizationInvitationsService) (*Response, error) {
			_, r, err := s.Revoke(ctx, "org_1", "orginv_1", RevokeOrganizationInvitationParams{})
			return r, err
		}},
	}
	success := func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/bulk") {
			return ok(invitationPageJSON(1, invitationJSON))(r)
		}
		return ok(invitationJSON)(r)
	}
	failures := []struct {
		name     string
		first    httpmock.Responder
		attempts int
	}{
		{"is not retried after a 503", status(503), 1},
		{"is not retried after a 500", status(500), 1},
		{"is not retried after a reset once sent", httpmock.NewErrorResponder(errReset), 1},
		{"is not retried when the server closes the connection", httpmock.NewErrorResponder(io.EOF), 1},
		{"is retried after a 429", status(429), 2},
		{"is retried when no connection was made", httpmock.NewErrorResponder(errRefused), 2},
	}
	for _, p := range posts {
		for _, f := range failures {
			t.Run(p.name+" "+f.name, func(t *testing.T) {
				c, api := newMockClient(t, []httpmock.Responder{f.first, success})
				resp, err := p.call(c.OrganizationInvitations)
				assert.Len(t, api.Requests(), f.attempts)
				if f.attempts == 2 {
					require.NoError(t, err)
					assert.Equal(t, 2, resp.Attempts)
					return
				}
				require.Error(t, err)
				var apiErr *APIError
				if errors.As(err, &apiErr) {
					assert.Equal(t, 1, resp.Attempts)
					assert.ErrorIs(t, err, ErrServer)
				}
			})
		}
	}
	t.Run("Get is retried after a 503", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{status(503), ok(invitationJSON)})
		_, resp, err := c.OrganizationInvitations.Get(ctx, "org_1", "orginv_1")
		require.NoError(t, err)
		assert.Equal(t, 2, resp.Attempts)
		assert.Len(t, api.Requests(), 2)
	})
}

func TestInvitationErrorsAreTypedAPIErrors(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{jsonResponder(400,
		`{"errors":[{"code":"already_a_member_in_organization","message":"already a member","long_message":"jane@acme.com is already a member of the organization."}],"clerk_trace_id":"tr_1"}`)})
	_, resp, err := c.OrganizationInvitations.Create(context.Background(), "org_1", CreateOrganizationInvitationParams{EmailAddress: "jane@acme.com", Role: "org:member"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrBadRequest)
	assert.True(t, apiErr.HasCode("already_a_member_in_organization"))
	require.NotNil(t, resp)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "tr_1", resp.TraceID)
}

// pagedInvitations serves n invitations "i0".."i(n-1)" by limit and offset.
func pagedInvitations(n int) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		var items []string
		for i := offset; i < min(offset+limit, n); i++ {
			items = append(items, smallInvitationJSON(fmt.Sprintf("i%d", i)))
		}
		return ok(invitationPageJSON(n, items...))(req)
	}
}

func collectInvitations(t *testing.T, seq func(func(*OrganizationInvitation, error) bool)) ([]string, error) {
	t.Helper()
	var out []string
	for inv, err := range seq {
		if err != nil {
			require.Nil(t, inv)
			return out, err
		}
		out = append(out, inv.ID)
	}
	return out, nil
}

func TestInvitationIteratorsWalkEveryPageInOrder(t *testing.T) {
	ctx := context.Background()
	want := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("i%d", i))
		}
		return out
	}
	tests := []struct {
		name    string
		seq     func(s *OrganizationInvitationsService) func(func(*OrganizationInvitation, error) bool)
		path    string
		queries []string
	}{
		{"All keeps the filters and pages from the offset", func(s *OrganizationInvitationsService) func(func(*OrganizationInvitation, error) bool) {
			return s.All(ctx, "org_1", &ListOrganizationInvitationsParams{Status: "pending", Limit: 4, Offset: 1})
		}, "/v1/organizations/org_1/invitations", []string{
			"limit=4&offset=1&status=pending", "limit=4&offset=5&status=pending", "limit=4&offset=9&status=pending",
		}},
		{"AllForInstance keeps query and order", func(s *OrganizationInvitationsService) func(func(*OrganizationInvitation, error) bool) {
			return s.AllForInstance(ctx, &ListInstanceOrganizationInvitationsParams{Query: "acme", OrderBy: "email_address", Limit: 4, Offset: 1})
		}, "/v1/organization_invitations", []string{
			"limit=4&offset=1&order_by=email_address&query=acme", "limit=4&offset=5&order_by=email_address&query=acme",
			"limit=4&offset=9&order_by=email_address&query=acme",
		}},
		{"AllForUser keeps the status", func(s *OrganizationInvitationsService) func(func(*OrganizationInvitation, error) bool) {
			return s.AllForUser(ctx, "user_1", &ListUserOrganizationInvitationsParams{Status: "accepted", Limit: 4, Offset: 1})
		}, "/v1/users/user_1/organization_invitations", []string{
			"limit=4&offset=1&status=accepted", "limit=4&offset=5&status=accepted", "limit=4&offset=9&status=accepted",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{pagedInvitations(11)}, WithPageConcurrency(1))
			got, err := collectInvitations(t, tt.seq(c.OrganizationInvitations))
			require.NoError(t, err)
			assert.Equal(t, want(1, 11), got)
			assert.Equal(t, tt.queries, queries(api))
			for _, r := range api.Requests() {
				assert.Equal(t, tt.path, r.Path)
			}
		})
	}
	t.Run("concurrent pages of 500 by default still come in order", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedInvitations(1700)}, WithPageConcurrency(3))
		got, err := collectInvitations(t, c.OrganizationInvitations.All(ctx, "org_1", nil))
		require.NoError(t, err)
		assert.Equal(t, want(0, 1700), got)
		assert.ElementsMatch(t, []string{"limit=500", "limit=500&offset=500", "limit=500&offset=1000", "limit=500&offset=1500"}, queries(api))
	})
	t.Run("breaking out of the loop stops fetching", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedInvitations(100)})
		for range c.OrganizationInvitations.All(ctx, "org_1", &ListOrganizationInvitationsParams{Limit: 10}) {
			break
		}
		assert.Len(t, api.Requests(), 1)
	})
	t.Run("an error is yielded once and ends the walk", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedInvitations(100), status(404)}, WithPageConcurrency(1))
		got, err := collectInvitations(t, c.OrganizationInvitations.AllForUser(ctx, "user_1", &ListUserOrganizationInvitationsParams{Limit: 10}))
		assert.ErrorIs(t, err, ErrNotFound)
		assert.Equal(t, want(0, 10), got)
		assert.Len(t, api.Requests(), 2)
	})
	t.Run("invalid params are yielded as a ValidationError without a request", func(t *testing.T) {
		c, api := newMockClient(t, []httpmock.Responder{pagedInvitations(100)})
		_, err := collectInvitations(t, c.OrganizationInvitations.AllForInstance(ctx, &ListInstanceOrganizationInvitationsParams{Limit: 501}))
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "limit", verr.Param)
		assert.Empty(t, api.Requests())
	})
	t.Run("the caller's params are not modified", func(t *testing.T) {
		c, _ := newMockClient(t, []httpmock.Responder{pagedInvitations(30)})
		p := &ListOrganizationInvitationsParams{Limit: 10, Offset: 2}
		_, err := collectInvitations(t, c.OrganizationInvitations.All(ctx, "org_1", p))
		require.NoError(t, err)
		assert.Equal(t, &ListOrganizationInvitationsParams{Limit: 10, Offset: 2}, p)
	})
}
