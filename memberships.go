package clerk

import (
	"context"
	"errors"
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

// ListUserOrganizationMembershipsParams pages ListForUser and AllForUser.
// Zero values are not sent.
type ListUserOrganizationMembershipsParams struct {
	Limit  int // 1 to 500; 0 means the server default (10)
	Offset int // not negative
}

// The operation names of the membership methods: Clerk's operationIds.
const (
	opCreate       = "CreateOrganizationMembership"
	opDelete       = "DeleteOrganizationMembership"
	opList         = "ListOrganizationMemberships"
	opListInstance = "InstanceGetOrganizationMemberships"
	opListUser     = "UsersGetOrganizationMemberships"
	opUpdate       = "UpdateOrganizationMembership"
	opUpdateMeta   = "UpdateOrganizationMembershipMetadata"
)

// Create adds the user params.UserID to the organization with params.Role.
// Create is retried only when Clerk certainly did not act on it (a 429, or a
// connection that was never made), so it never creates twice.
func (s *OrganizationMembershipsService) Create(ctx context.Context, organizationID string, params CreateOrganizationMembershipParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID),
		checkRequired("user_id", params.UserID), checkRequired("role", params.Role)); err != nil {
		return nil, nil, err
	}
	return s.doMembership(ctx, &Request{Operation: opCreate, Method: http.MethodPost, Path: membershipsPath(organizationID), Body: params})
}

// Delete removes the user's membership from the organization and returns
// the membership as it was.
func (s *OrganizationMembershipsService) Delete(ctx context.Context, organizationID, userID string) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), checkID("user_id", userID)); err != nil {
		return nil, nil, err
	}
	return s.doMembership(ctx, &Request{Operation: opDelete, Method: http.MethodDelete, Path: membershipPath(organizationID, userID)})
}

// List returns one page of the organization's memberships. A nil params
// means no filters and the server's default page. See All to walk every page.
func (s *OrganizationMembershipsService) List(ctx context.Context, organizationID string, params *ListOrganizationMembershipsParams) (*OrganizationMemberships, *Response, error) {
	r, err := listRequest(organizationID, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

// ListForInstance returns one page of the memberships of every organization
// of the instance. A nil params means the server's default page. See
// AllForInstance to walk every page.
func (s *OrganizationMembershipsService) ListForInstance(ctx context.Context, params *ListInstanceOrganizationMembershipsParams) (*OrganizationMemberships, *Response, error) {
	r, err := instanceListRequest(params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

// ListForUser returns one page of the user's memberships: every organization
// the user belongs to, with the role in each. A nil params means the
// server's default page. See AllForUser to walk every page.
func (s *OrganizationMembershipsService) ListForUser(ctx context.Context, userID string, params *ListUserOrganizationMembershipsParams) (*OrganizationMemberships, *Response, error) {
	r, err := userListRequest(userID, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

func listRequest(organizationID string, params *ListOrganizationMembershipsParams) (*Request, error) {
	if err := checkID("organization_id", organizationID); err != nil {
		return nil, err
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return &Request{Operation: opList, Method: http.MethodGet, Path: membershipsPath(organizationID), Query: q}, nil
}

func instanceListRequest(params *ListInstanceOrganizationMembershipsParams) (*Request, error) {
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return &Request{Operation: opListInstance, Method: http.MethodGet, Path: "organization_memberships", Query: q}, nil
}

func userListRequest(userID string, params *ListUserOrganizationMembershipsParams) (*Request, error) {
	if err := checkID("user_id", userID); err != nil {
		return nil, err
	}
	q, err := params.values()
	if err != nil {
		return nil, err
	}
	return &Request{Operation: opListUser, Method: http.MethodGet, Path: "users/" + url.PathEscape(userID) + "/organization_memberships", Query: q}, nil
}

// Update changes the member's role. Metadata is changed with UpdateMetadata.
func (s *OrganizationMembershipsService) Update(ctx context.Context, organizationID, userID string, params UpdateOrganizationMembershipParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), checkID("user_id", userID),
		checkRequired("role", params.Role)); err != nil {
		return nil, nil, err
	}
	return s.doMembership(ctx, &Request{Operation: opUpdate, Method: http.MethodPatch, Path: membershipPath(organizationID, userID), Body: params})
}

// UpdateMetadata deep-merges params into the membership's metadata: nested
// objects are merged, a nil value deletes its key, and a nil map leaves that
// metadata as it is. Clerk allows 10 such updates per 10 seconds per
// membership.
func (s *OrganizationMembershipsService) UpdateMetadata(ctx context.Context, organizationID, userID string, params UpdateOrganizationMembershipMetadataParams) (*OrganizationMembership, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), checkID("user_id", userID)); err != nil {
		return nil, nil, err
	}
	return s.doMembership(ctx, &Request{Operation: opUpdateMeta, Method: http.MethodPatch, Path: membershipPath(organizationID, userID) + "/metadata", Body: params})
}

func (s *OrganizationMembershipsService) doMembership(ctx context.Context, r *Request) (*OrganizationMembership, *Response, error) {
	m := new(OrganizationMembership)
	resp, err := s.client.Do(ctx, r, m)
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) && verr.Param == "body" {
			verr.Param = "metadata" // the only part of these bodies that can fail to encode
		}
		return nil, resp, err
	}
	return m, resp, nil
}

// doPage fetches one page; arrived is passed to doWith.
func (s *OrganizationMembershipsService) doPage(ctx context.Context, r *Request, arrived func() error) (*OrganizationMemberships, *Response, error) {
	size := 10 // Clerk's default page size
	if limit, err := strconv.Atoi(r.Query.Get("limit")); err == nil {
		size = limit
	}
	page := &OrganizationMemberships{Data: make([]*OrganizationMembership, 0, size)}
	resp, err := s.client.doWith(ctx, r, page, arrived, false)
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

// values encodes p as the query of ListForUser; a nil p encodes to nothing.
func (p *ListUserOrganizationMembershipsParams) values() (url.Values, error) {
	if p == nil {
		return nil, nil
	}
	return pageValues(p.Limit, p.Offset, "")
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

// checkID rejects an ID that cannot name exactly one path segment.
func checkID(param, id string) error {
	if problem := segmentProblem(id); problem != "" {
		return &ValidationError{Param: param, Message: problem}
	}
	return nil
}

// segmentProblem says why s cannot be escaped into exactly one path segment
// (empty, "." or "..", or holding control characters), or returns "".
func segmentProblem(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case s == "." || s == "..":
		return "must not be " + strconv.Quote(s)
	case strings.IndexFunc(s, isControl) >= 0:
		return "must not contain control characters"
	}
	return ""
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
