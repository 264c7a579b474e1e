package clerk

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxPageSize is the largest page Clerk serves.
const maxPageSize = 500

// OrganizationMembershipsService holds the operations on organization
// memberships. Get it from Client.OrganizationMemberships.
type OrganizationMembershipsService struct {
	client *Client
}

// CreateOrganizationMembershipParams is the body of Create.
type CreateOrganizationMembershipParams struct {
	// UserID is the user to add; required. The user must belong to the same
	// instance and must not already be a member.
	UserID string `json:"user_id"`
	// Role is the new member's role key, such as "org:member"; required.
	Role string `json:"role"`
	// PublicMetadata sets the membership's initial public metadata; a nil map
	// is not sent.
	PublicMetadata map[string]any `json:"public_metadata,omitzero"`
	// PrivateMetadata sets the membership's initial private metadata; a nil
	// map is not sent.
	PrivateMetadata map[string]any `json:"private_metadata,omitzero"`
}

// UpdateOrganizationMembershipParams is the body of Update.
type UpdateOrganizationMembershipParams struct {
	// Role is the member's new role key; required.
	Role string `json:"role"`
}

// UpdateOrganizationMembershipMetadataParams is the body of UpdateMetadata.
// Each map is deep-merged into the stored metadata. A nil map leaves that
// metadata unchanged; a key whose value is nil is sent as JSON null and
// deletes that key, at any depth.
type UpdateOrganizationMembershipMetadataParams struct {
	PublicMetadata  map[string]any `json:"public_metadata,omitzero"`
	PrivateMetadata map[string]any `json:"private_metadata,omitzero"`
}

// ListOrganizationMembershipsParams filters and pages List, All and their
// callers. Zero values are not sent.
type ListOrganizationMembershipsParams struct {
	// Limit is the page size, 1 to 500; 0 means the server default (10).
	Limit int
	// Offset is how many results to skip; not negative.
	Offset int
	// OrderBy sorts by created_at, email_address, first_name, last_name,
	// phone_number or username, prefixed with + (ascending) or - (descending),
	// such as "-created_at".
	OrderBy string

	// UserIDs keeps these users; an ID prefixed with - is excluded instead.
	UserIDs        []string
	EmailAddresses []string
	PhoneNumbers   []string
	Usernames      []string
	Web3Wallets    []string
	Roles          []string

	// Query matches part of an email address, phone number, username, web3
	// wallet, user ID, first or last name.
	Query string
	// The *Query fields match part of one attribute, ignoring case.
	EmailAddressQuery string
	PhoneNumberQuery  string
	UsernameQuery     string
	NameQuery         string

	// The time filters are sent as Unix milliseconds; the zero time is not sent.
	LastActiveAtBefore time.Time
	LastActiveAtAfter  time.Time
	CreatedAtBefore    time.Time
	CreatedAtAfter     time.Time
}

// ListInstanceOrganizationMembershipsParams pages ListForInstance and
// AllForInstance. Zero values are not sent.
type ListInstanceOrganizationMembershipsParams struct {
	Limit   int // 1 to 500; 0 means the server default (10)
	Offset  int // not negative
	OrderBy string
}

// Create adds the user params.UserID to the organization with params.Role.
// Create is retried only when Clerk certainly did not act on it (a 429, or a
// connection that was never made), so it never creates twice.
func (s *OrganizationMembershipsService) Create(ctx context.Context, organizationID string, params CreateOrganizationMembershipParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkContext(ctx), checkID("organization_id", organizationID),
		checkRequired("user_id", params.UserID), checkRequired("role", params.Role)); err != nil {
		return nil, nil, err
	}
	r := &request{op: "create membership", method: http.MethodPost, path: membershipsPath(organizationID), body: params}
	return s.doMembership(ctx, r)
}

// Delete removes the user's membership from the organization and returns
// the membership as it was.
func (s *OrganizationMembershipsService) Delete(ctx context.Context, organizationID, userID string) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkContext(ctx), checkID("organization_id", organizationID), checkID("user_id", userID)); err != nil {
		return nil, nil, err
	}
	r := &request{op: "delete membership", method: http.MethodDelete, path: membershipPath(organizationID, userID)}
	return s.doMembership(ctx, r)
}

// List returns one page of the organization's memberships. A nil params
// means no filters and the server's default page. See All to walk every page.
func (s *OrganizationMembershipsService) List(ctx context.Context, organizationID string, params *ListOrganizationMembershipsParams) (*OrganizationMemberships, *Response, error) {
	r, err := listRequest(ctx, organizationID, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r)
}

// ListForInstance returns one page of the memberships of every organization
// of the instance. A nil params means the server's default page. See
// AllForInstance to walk every page.
func (s *OrganizationMembershipsService) ListForInstance(ctx context.Context, params *ListInstanceOrganizationMembershipsParams) (*OrganizationMemberships, *Response, error) {
	r, err := instanceListRequest(ctx, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r)
}

func listRequest(ctx context.Context, organizationID string, params *ListOrganizationMembershipsParams) (*request, error) {
	if err := firstError(checkContext(ctx), checkID("organization_id", organizationID)); err != nil {
		return nil, err
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return &request{op: "list memberships", method: http.MethodGet, path: membershipsPath(organizationID), query: q}, nil
}

func instanceListRequest(ctx context.Context, params *ListInstanceOrganizationMembershipsParams) (*request, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return &request{op: "list instance memberships", method: http.MethodGet, path: "organization_memberships", query: q}, nil
}

// Update changes the member's role. Metadata is changed with UpdateMetadata.
func (s *OrganizationMembershipsService) Update(ctx context.Context, organizationID, userID string, params UpdateOrganizationMembershipParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkContext(ctx), checkID("organization_id", organizationID), checkID("user_id", userID),
		checkRequired("role", params.Role)); err != nil {
		return nil, nil, err
	}
	r := &request{op: "update membership", method: http.MethodPatch, path: membershipPath(organizationID, userID), body: params}
	return s.doMembership(ctx, r)
}

// UpdateMetadata deep-merges params into the membership's metadata: nested
// objects are merged, a nil value deletes its key, and a nil map leaves that
// metadata as it is. Clerk allows 10 such updates per 10 seconds per
// membership.
func (s *OrganizationMembershipsService) UpdateMetadata(ctx context.Context, organizationID, userID string, params UpdateOrganizationMembershipMetadataParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkContext(ctx), checkID("organization_id", organizationID), checkID("user_id", userID)); err != nil {
		return nil, nil, err
	}
	r := &request{op: "update membership metadata", method: http.MethodPatch, path: membershipPath(organizationID, userID) + "/metadata", body: params}
	return s.doMembership(ctx, r)
}

func (s *OrganizationMembershipsService) doMembership(ctx context.Context, r *request) (*OrganizationMembership, *Response, error) {
	m := new(OrganizationMembership)
	resp, err := s.client.do(ctx, r, m)
	if err != nil {
		return nil, resp, err
	}
	return m, resp, nil
}

func (s *OrganizationMembershipsService) doPage(ctx context.Context, r *request) (*OrganizationMemberships, *Response, error) {
	size := 10 // Clerk's default page size
	if limit, err := strconv.Atoi(r.query.Get("limit")); err == nil {
		size = limit
	}
	page := &OrganizationMemberships{Data: make([]*OrganizationMembership, 0, size)}
	resp, err := s.client.do(ctx, r, page)
	if err != nil {
		return nil, resp, err
	}
	return page, resp, nil
}

// membershipsPath is the escaped path of an organization's memberships. The
// ID becomes exactly one path segment whatever it contains.
func membershipsPath(organizationID string) string {
	return "organizations/" + url.PathEscape(organizationID) + "/memberships"
}

// membershipPath is the escaped path of one user's membership.
func membershipPath(organizationID, userID string) string {
	return membershipsPath(organizationID) + "/" + url.PathEscape(userID)
}

// values encodes p as the query of List; a nil p encodes to nothing.
func (p *ListOrganizationMembershipsParams) values() (url.Values, error) {
	if p == nil {
		return nil, nil
	}
	q, err := pageValues(p.Limit, p.Offset, p.OrderBy)
	if err != nil {
		return nil, err
	}
	for _, f := range [...]struct {
		key  string
		list []string
	}{
		{"user_id", p.UserIDs}, {"email_address", p.EmailAddresses}, {"phone_number", p.PhoneNumbers},
		{"username", p.Usernames}, {"web3_wallet", p.Web3Wallets}, {"role", p.Roles},
	} {
		if len(f.list) > 0 {
			q[f.key] = f.list
		}
	}
	for _, f := range [...]struct{ key, value string }{
		{"query", p.Query}, {"email_address_query", p.EmailAddressQuery}, {"phone_number_query", p.PhoneNumberQuery},
		{"username_query", p.UsernameQuery}, {"name_query", p.NameQuery},
	} {
		if f.value != "" {
			q.Set(f.key, f.value)
		}
	}
	for _, f := range [...]struct {
		key string
		t   time.Time
	}{
		{"last_active_at_before", p.LastActiveAtBefore}, {"last_active_at_after", p.LastActiveAtAfter},
		{"created_at_before", p.CreatedAtBefore}, {"created_at_after", p.CreatedAtAfter},
	} {
		if !f.t.IsZero() {
			q.Set(f.key, strconv.FormatInt(f.t.UnixMilli(), 10))
		}
	}
	return q, nil
}

// values encodes p as the query of ListForInstance; a nil p encodes to nothing.
func (p *ListInstanceOrganizationMembershipsParams) values() (url.Values, error) {
	if p == nil {
		return nil, nil
	}
	return pageValues(p.Limit, p.Offset, p.OrderBy)
}

// pageValues checks and encodes the paging parameters both lists share.
func pageValues(limit, offset int, orderBy string) (url.Values, error) {
	if limit < 0 || limit > maxPageSize {
		return nil, &ValidationError{Param: "limit", Message: "must be between 1 and 500 (0 means the server default), got " + strconv.Itoa(limit)}
	}
	if offset < 0 {
		return nil, &ValidationError{Param: "offset", Message: "must not be negative, got " + strconv.Itoa(offset)}
	}
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if orderBy != "" {
		q.Set("order_by", orderBy)
	}
	return q, nil
}

// checkID rejects an ID that cannot name exactly one path segment: empty,
// "." or "..", or holding control characters. Anything else is escaped.
func checkID(param, id string) error {
	switch {
	case id == "":
		return &ValidationError{Param: param, Message: "must not be empty"}
	case id == "." || id == "..":
		return &ValidationError{Param: param, Message: "must not be " + strconv.Quote(id)}
	case strings.IndexFunc(id, isControl) >= 0:
		return &ValidationError{Param: param, Message: "must not contain control characters"}
	}
	return nil
}

func checkRequired(param, value string) error {
	if value == "" {
		return &ValidationError{Param: param, Message: "is required"}
	}
	return nil
}

func checkContext(ctx context.Context) error {
	if ctx == nil {
		return &ValidationError{Param: "ctx", Message: "must not be nil; use context.Background()"}
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
