package clerk

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachOperationSendsExactlyTheSpecifiedRequest(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func(s *OrganizationMembershipsService) (*Response, error)
		method    string
		path      string
		query     string
		body      string // "" means no body
		reply     string
		checkBody func(t *testing.T, got any)
	}{
		{
			name: "Create posts user_id and role to the organization's memberships",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.Create(ctx, "org_1", CreateOrganizationMembershipParams{UserID: "user_1", Role: "org:member"})
				return resp, err
			},
			method: "POST", path: "/v1/organizations/org_1/memberships",
			body: `{"user_id":"user_1","role":"org:member"}`,
		},
		{
			name: "Create sends metadata with nested nulls kept as JSON null",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.Create(ctx, "org_1", CreateOrganizationMembershipParams{
					UserID: "user_1", Role: "org:admin",
					PublicMetadata:  map[string]any{"team": map[string]any{"lead": nil, "size": 3}},
					PrivateMetadata: map[string]any{},
				})
				return resp, err
			},
			method: "POST", path: "/v1/organizations/org_1/memberships",
			body: `{"user_id":"user_1","role":"org:admin","public_metadata":{"team":{"lead":null,"size":3}},"private_metadata":{}}`,
		},
		{
			name: "Delete sends DELETE to the user's membership without a body",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.Delete(ctx, "org_1", "user_1")
				return resp, err
			},
			method: "DELETE", path: "/v1/organizations/org_1/memberships/user_1",
		},
		{
			name: "List with nil params sends no query",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.List(ctx, "org_1", nil)
				return resp, err
			},
			method: "GET", path: "/v1/organizations/org_1/memberships",
			reply: pageJSON(1, membershipJSON),
		},
		{
			name: "List sends every filter, arrays as repeated keys and times as Unix milliseconds",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.List(ctx, "org_1", &ListOrganizationMembershipsParams{
					Limit: 50, Offset: 100, OrderBy: "-created_at",
					UserIDs: []string{"user_a", "-user_b"}, EmailAddresses: []string{"a@x.io", "b+1@x.io"},
					PhoneNumbers: []string{"+15550100"}, Usernames: []string{"jane"}, Web3Wallets: []string{"0xabc"},
					Roles: []string{"org:admin", "org:member"}, Query: "ja ne", EmailAddressQuery: "ello",
					PhoneNumberQuery: "555", UsernameQuery: "ja", NameQuery: "Doe",
					LastActiveAtBefore: time.UnixMilli(1700690400000), LastActiveAtAfter: time.UnixMilli(1700000000001),
					CreatedAtBefore: time.UnixMilli(1730160000000), CreatedAtAfter: time.UnixMilli(1600000000000),
				})
				return resp, err
			},
			method: "GET", path: "/v1/organizations/org_1/memberships",
			query: "created_at_after=1600000000000&created_at_before=1730160000000" +
				"&email_address=a%40x.io&email_address=b%2B1%40x.io&email_address_query=ello" +
				"&last_active_at_after=1700000000001&last_active_at_before=1700690400000" +
				"&limit=50&name_query=Doe&offset=100&order_by=-created_at" +
				"&phone_number=%2B15550100&phone_number_query=555&query=ja+ne" +
				"&role=org%3Aadmin&role=org%3Amember&user_id=user_a&user_id=-user_b" +
				"&username=jane&username_query=ja&web3_wallet=0xabc",
			reply: pageJSON(0),
		},
		{
			name: "ListForInstance sends limit, offset and order_by to organization_memberships",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.ListForInstance(ctx, &ListInstanceOrganizationMembershipsParams{Limit: 500, Offset: 1, OrderBy: "+username"})
				return resp, err
			},
			method: "GET", path: "/v1/organization_memberships", query: "limit=500&offset=1&order_by=%2Busername",
			reply: pageJSON(0),
		},
		{
			name: "ListForUser sends limit and offset to the user's organization_memberships",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.ListForUser(ctx, "user_1", &ListUserOrganizationMembershipsParams{Limit: 20, Offset: 40})
				return resp, err
			},
			method: "GET", path: "/v1/users/user_1/organization_memberships", query: "limit=20&offset=40",
			reply: pageJSON(0),
		},
		{
			name: "ListForUser with nil params sends no query",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.ListForUser(ctx, "user_1", nil)
				return resp, err
			},
			method: "GET", path: "/v1/users/user_1/organization_memberships",
			reply: pageJSON(0),
		},
		{
			name: "Update patches the role only",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.Update(ctx, "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
				return resp, err
			},
			method: "PATCH", path: "/v1/organizations/org_1/memberships/user_1", body: `{"role":"org:admin"}`,
		},
		{
			name: "UpdateMetadata leaves a nil map out and keeps nulls at every depth",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.UpdateMetadata(ctx, "org_1", "user_1", UpdateOrganizationMembershipMetadataParams{
					PrivateMetadata: map[string]any{"a": map[string]any{"b": nil, "c": map[string]any{"d": nil}}, "e": nil},
				})
				return resp, err
			},
			method: "PATCH", path: "/v1/organizations/org_1/memberships/user_1/metadata",
			body: `{"private_metadata":{"a":{"b":null,"c":{"d":null}},"e":null}}`,
		},
		{
			name: "UpdateMetadata with no maps sends an empty object",
			call: func(s *OrganizationMembershipsService) (*Response, error) {
				_, resp, err := s.UpdateMetadata(ctx, "org_1", "user_1", UpdateOrganizationMembershipMetadataParams{})
				return resp, err
			},
			method: "PATCH", path: "/v1/organizations/org_1/memberships/user_1/metadata", body: `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := tt.reply
			if reply == "" {
				reply = membershipJSON
			}
			c, api := newMockClient(t, []httpmock.Responder{jsonResponder(200, reply, "Clerk-Trace-Id", "trace-ok")})
			resp, err := tt.call(c.OrganizationMemberships)
			require.NoError(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "trace-ok", resp.TraceID)
			assert.Equal(t, 1, resp.Attempts)

			reqs := api.Requests()
			require.Len(t, reqs, 1)
			got := reqs[0]
			assert.Equal(t, tt.method, got.Method)
			assert.Equal(t, "api.clerk.test", got.Host)
			assert.Equal(t, tt.path, got.Path)
			assert.Equal(t, tt.query, got.Query)
			assert.Equal(t, tt.body, got.Body)
			if tt.body == "" {
				assert.Empty(t, got.Header.Get("Content-Type"), "no Content-Type without a body")
			} else {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestEveryRequestCarriesAuthVersionAcceptAndUserAgent(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))}, WithUserAgent("billing-sync/2.1"), WithAPIVersion("2025-11-10"))
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)

	h := api.Requests()[0].Header
	assert.Equal(t, "Bearer "+testKey, h.Get("Authorization"))
	assert.Equal(t, "2025-11-10", h.Get("Clerk-API-Version"))
	assert.Equal(t, "application/json", h.Get("Accept"))
	assert.Equal(t, "clerk-go/"+Version+" go/"+strings.TrimPrefix(runtime.Version(), "go")+" billing-sync/2.1", h.Get("User-Agent"))
}

func TestDefaultAPIVersionIsSentWhenNoneIsChosen(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(pageJSON(0))})
	_, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultAPIVersion, api.Requests()[0].Header.Get("Clerk-API-Version"))
}

func TestResponsesDecodeEveryFieldOfTheSpec(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{ok(membershipJSON)})
	m, _, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	require.NoError(t, err)

	str := func(s string) *string { return &s }
	want := &OrganizationMembership{
		Object: "organization_membership", ID: "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
		Role: "org:member", RoleName: "Member", Permissions: []string{"org:posts:read", "org:posts:write"},
		PublicMetadata:  json.RawMessage(`{"big": 9007199254740993, "z": 1, "a": 2}`),
		PrivateMetadata: json.RawMessage(`{}`),
		Organization: &Organization{
			Object: "organization", ID: "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S", Name: "Acme Corp", Slug: "acme-corp",
			ImageURL: "https://img.clerk.com/xxxxxx", HasImage: true, MembersCount: 2, PendingInvitationsCount: 0,
			MaxAllowedMemberships: 5, AdminDeleteEnabled: true, PublicMetadata: json.RawMessage(`{}`),
			PrivateMetadata: json.RawMessage(`{}`), CreatedBy: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
			CreatedAt: 1716883200000, UpdatedAt: 1716883200001, LastActiveAt: 1716883200002,
		},
		PublicUserData: &OrganizationMembershipPublicUserData{
			UserID: "user_2h8op3Isl1QR7tKu5FGNfaLKEoU", FirstName: str("Jane"), LastName: nil,
			ProfileImageURL: str("https://img.clerk.com/yyyyy"), ImageURL: "https://img.clerk.com/yyyyy",
			HasImage: true, Identifier: str("jane.doe@acme.com"), Username: str("jane"), Deprovisioned: true,
		},
		CreatedAt: 1716883200000, UpdatedAt: 1716883200005,
	}
	assert.Equal(t, want, m, "metadata is kept byte for byte, unknown fields are ignored, nulls become nil pointers")
}

func TestIDsAreSentAsOneEscapedPathSegment(t *testing.T) {
	tests := []struct {
		name, orgID, userID, wantPath string
	}{
		{"a traversal attempt stays inside the organization segment", "org_1/../../users", "user_1",
			"/v1/organizations/org_1%2F..%2F..%2Fusers/memberships/user_1/metadata"},
		{"query and fragment characters are escaped", "a?b#c", "u?x=1",
			"/v1/organizations/a%3Fb%23c/memberships/u%3Fx=1/metadata"},
		{"percent signs and spaces are escaped, not decoded", "org%2F1", "user 1",
			"/v1/organizations/org%252F1/memberships/user%201/metadata"},
		{"a dot-dot user ID inside a longer ID is literal", "org_1", "../x",
			"/v1/organizations/org_1/memberships/..%2Fx/metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)})
			_, _, err := c.OrganizationMemberships.UpdateMetadata(context.Background(), tt.orgID, tt.userID, UpdateOrganizationMembershipMetadataParams{})
			require.NoError(t, err)
			reqs := api.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "api.clerk.test", reqs[0].Host)
			assert.Equal(t, tt.wantPath, reqs[0].Path)
			assert.Empty(t, reqs[0].Query)
		})
	}
}

func TestInvalidArgumentsReturnValidationErrorAndSendNothing(t *testing.T) {
	s := func(c *Client) *OrganizationMembershipsService { return c.OrganizationMemberships }
	ctx := context.Background()
	var nilCtx context.Context
	tests := []struct {
		name  string
		param string
		call  func(c *Client) (*Response, error)
	}{
		{"an empty organization ID on Create", "organization_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).Create(ctx, "", CreateOrganizationMembershipParams{UserID: "u", Role: "org:member"})
			return r, err
		}},
		{"an empty user_id on Create", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).Create(ctx, "org_1", CreateOrganizationMembershipParams{Role: "org:member"})
			return r, err
		}},
		{"an empty role on Create", "role", func(c *Client) (*Response, error) {
			_, r, err := s(c).Create(ctx, "org_1", CreateOrganizationMembershipParams{UserID: "u"})
			return r, err
		}},
		{"metadata that cannot be JSON on Create", "metadata", func(c *Client) (*Response, error) {
			_, r, err := s(c).Create(ctx, "org_1", CreateOrganizationMembershipParams{UserID: "u", Role: "r", PublicMetadata: map[string]any{"f": func() {}}})
			return r, err
		}},
		{"an empty user ID on Delete", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).Delete(ctx, "org_1", "")
			return r, err
		}},
		{"a dot-dot organization ID on Delete", "organization_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).Delete(ctx, "..", "user_1")
			return r, err
		}},
		{"a dot user ID on Update", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).Update(ctx, "org_1", ".", UpdateOrganizationMembershipParams{Role: "org:admin"})
			return r, err
		}},
		{"an empty role on Update", "role", func(c *Client) (*Response, error) {
			_, r, err := s(c).Update(ctx, "org_1", "user_1", UpdateOrganizationMembershipParams{})
			return r, err
		}},
		{"a control character in a user ID on UpdateMetadata", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).UpdateMetadata(ctx, "org_1", "user\n1", UpdateOrganizationMembershipMetadataParams{})
			return r, err
		}},
		{"a nil context on UpdateMetadata", "ctx", func(c *Client) (*Response, error) {
			_, r, err := s(c).UpdateMetadata(nilCtx, "org_1", "user_1", UpdateOrganizationMembershipMetadataParams{})
			return r, err
		}},
		{"a limit above 500 on List", "limit", func(c *Client) (*Response, error) {
			_, r, err := s(c).List(ctx, "org_1", &ListOrganizationMembershipsParams{Limit: 501})
			return r, err
		}},
		{"a negative limit on List", "limit", func(c *Client) (*Response, error) {
			_, r, err := s(c).List(ctx, "org_1", &ListOrganizationMembershipsParams{Limit: -1})
			return r, err
		}},
		{"a negative offset on ListForInstance", "offset", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForInstance(ctx, &ListInstanceOrganizationMembershipsParams{Offset: -5})
			return r, err
		}},
		{"an empty organization ID on List", "organization_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).List(ctx, "", nil)
			return r, err
		}},
		{"an empty user ID on ListForUser", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForUser(ctx, "", nil)
			return r, err
		}},
		{"a dot-dot user ID on ListForUser", "user_id", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForUser(ctx, "..", nil)
			return r, err
		}},
		{"a limit above 500 on ListForUser", "limit", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForUser(ctx, "user_1", &ListUserOrganizationMembershipsParams{Limit: 501})
			return r, err
		}},
		{"a negative offset on ListForUser", "offset", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForUser(ctx, "user_1", &ListUserOrganizationMembershipsParams{Offset: -1})
			return r, err
		}},
		{"a nil context on ListForUser", "ctx", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForUser(nilCtx, "user_1", nil)
			return r, err
		}},
		{"a nil context on ListForInstance", "ctx", func(c *Client) (*Response, error) {
			_, r, err := s(c).ListForInstance(nilCtx, nil)
			return r, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{ok(membershipJSON)})
			resp, err := tt.call(c)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Contains(t, err.Error(), "clerk: invalid "+tt.param+": ")
			assert.Nil(t, resp)
			assert.Empty(t, api.Requests(), "nothing may be sent")
		})
	}
}

func TestResponseCarriesTheHTTPResponseWithItsBodyClosed(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{jsonResponder(200, membershipJSON, "X-Extra", "1")})
	_, resp, err := c.OrganizationMemberships.Update(context.Background(), "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
	require.NoError(t, err)
	assert.Equal(t, "1", resp.Header.Get("X-Extra"))
	assert.Equal(t, http.NoBody, resp.Body)
	assert.Equal(t, "", resp.TraceID, "no trace header and no error body means no trace ID")
}
