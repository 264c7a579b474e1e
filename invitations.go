package clerk

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBulkInvitations is how many invitations one CreateBulk call may carry.
const maxBulkInvitations = 10

// OrganizationInvitationsService holds the operations on organization
// invitations: inviting people by email address, and seeing the invitations
// accepted, revoked or expired. Get it from Client.OrganizationInvitations.
//
// Clerk limits invitations apart from the instance's request budget: 250
// Create calls and 50 CreateBulk calls per hour. A call beyond them is
// answered 429 with a Retry-After longer than any RetryPolicy waits, so it
// comes back at once as an *APIError matching ErrRateLimited.
type OrganizationInvitationsService struct {
	client *Client
}

// CreateOrganizationInvitationParams is one invitation, the body of Create
// and an item of CreateBulk. Zero optional fields are not sent.
type CreateOrganizationInvitationParams struct {
	// EmailAddress is the invitee's address; required, with exactly one "@"
	// between a non-empty local part and domain.
	EmailAddress string `json:"email_address"`
	// Role is the role key the invitee gets on accepting, such as
	// "org:member"; required.
	Role string `json:"role"`
	// InviterUserID is the user who invites; an administrator of the
	// organization. Empty means the Backend API invites.
	InviterUserID string `json:"inviter_user_id,omitempty"`
	// PublicMetadata and PrivateMetadata are saved on the invitation and
	// copied to the membership when it is accepted; a nil map is not sent.
	PublicMetadata  map[string]any `json:"public_metadata,omitzero"`
	PrivateMetadata map[string]any `json:"private_metadata,omitzero"`
	// RedirectURL is where the invitee lands after following the link in
	// the invitation email.
	RedirectURL string `json:"redirect_url,omitempty"`
	// ExpiresInDays is how long the invitation is valid, 1 to 365 days; 0
	// means Clerk's default (30).
	ExpiresInDays int `json:"expires_in_days,omitempty"`
	// Notify says whether Clerk emails the invitation; nil means Clerk's
	// default (it does).
	Notify *bool `json:"notify,omitempty"`
}

// RevokeOrganizationInvitationParams is the body of Revoke.
type RevokeOrganizationInvitationParams struct {
	// RequestingUserID is the administrator who revokes; empty means the
	// Backend API does.
	RequestingUserID string `json:"requesting_user_id,omitempty"`
}

// ListOrganizationInvitationsParams filters and pages List and All. Zero
// values are not sent.
type ListOrganizationInvitationsParams struct {
	// Status keeps the invitations with this status: "pending", "accepted",
	// "revoked" or "expired"; "" keeps all.
	Status string
	// EmailAddress keeps the invitations sent to this address.
	EmailAddress string
	// OrderBy sorts by created_at or email_address, prefixed with +
	// (ascending) or - (descending); Clerk's default is "-created_at".
	OrderBy string
	Limit   int // 1 to 500; 0 means the server default (10)
	Offset  int // not negative
}

// ListInstanceOrganizationInvitationsParams filters and pages
// ListForInstance and AllForInstance. Zero values are not sent.
type ListInstanceOrganizationInvitationsParams struct {
	Status  string // as in ListOrganizationInvitationsParams
	Query   string // matches part of the invited email address
	OrderBy string // as in ListOrganizationInvitationsParams
	Limit   int    // 1 to 500; 0 means the server default (10)
	Offset  int    // not negative
}

// ListUserOrganizationInvitationsParams filters and pages ListForUser and
// AllForUser. Zero values are not sent.
type ListUserOrganizationInvitationsParams struct {
	Status string // as in ListOrganizationInvitationsParams
	Limit  int    // 1 to 500; 0 means the server default (10)
	Offset int    // not negative
}

// The operation names of the invitation methods: Clerk's operationIds.
const (
	opInvitationCreate       = "CreateOrganizationInvitation"
	opInvitationCreateBulk   = "CreateOrganizationInvitationBulk"
	opInvitationGet          = "GetOrganizationInvitation"
	opInvitationRevoke       = "RevokeOrganizationInvitation"
	opInvitationList         = "ListOrganizationInvitations"
	opInvitationListInstance = "ListInstanceOrganizationInvitations"
	opInvitationListUser     = "UsersGetOrganizationInvitations"
)

// Create invites params.EmailAddress to the organization with params.Role;
// the invitation is pending until the invitee accepts it or it is revoked or
// expires. Someone who already has an account can be added at once with
// OrganizationMemberships.Create instead; Users.List finds them by email
// address. Like every POST, Create is retried only when Clerk certainly did
// not act on it, so it never invites twice.
func (s *OrganizationInvitationsService) Create(ctx context.Context, organizationID string, params CreateOrganizationInvitationParams) (*OrganizationInvitation, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), params.check("")); err != nil {
		return nil, nil, err
	}
	return s.doInvitation(ctx, &Request{Operation: opInvitationCreate, Method: http.MethodPost, Path: invitationsPath(organizationID), Body: params})
}

// CreateBulk sends 1 to 10 invitations to the organization in one call,
// which counts once against Clerk's hourly budget of 50 bulk calls, and
// returns the invitations made, in the order given. Like Create, it is not
// retried after a failure that may have reached Clerk.
func (s *OrganizationInvitationsService) CreateBulk(ctx context.Context, organizationID string, params []CreateOrganizationInvitationParams) (*OrganizationInvitations, *Response, error) {
	if err := checkID("organization_id", organizationID); err != nil {
		return nil, nil, err
	}
	if len(params) == 0 || len(params) > maxBulkInvitations {
		return nil, nil, &ValidationError{Param: "invitations", Message: "must hold 1 to 10 invitations per call, got " + strconv.Itoa(len(params)) + "; split larger lists"}
	}
	for i := range params {
		if err := params[i].check("invitation " + strconv.Itoa(i) + ": "); err != nil {
			return nil, nil, err
		}
	}
	page := new(OrganizationInvitations)
	resp, err := s.client.Do(ctx, &Request{Operation: opInvitationCreateBulk, Method: http.MethodPost, Path: invitationsPath(organizationID) + "/bulk", Body: params}, page)
	if err != nil {
		return nil, resp, metadataError(err)
	}
	return page, resp, nil
}

// Get returns one invitation of the organization.
func (s *OrganizationInvitationsService) Get(ctx context.Context, organizationID, invitationID string) (*OrganizationInvitation, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), checkID("invitation_id", invitationID)); err != nil {
		return nil, nil, err
	}
	return s.doInvitation(ctx, &Request{Operation: opInvitationGet, Method: http.MethodGet, Path: invitationPath(organizationID, invitationID)})
}

// Revoke makes a pending invitation unusable and returns it, revoked. Clerk
// refuses to revoke an invitation that is not pending. Like every POST,
// Revoke is not retried after a failure that may have reached Clerk; read
// the invitation back with Get to learn its status.
func (s *OrganizationInvitationsService) Revoke(ctx context.Context, organizationID, invitationID string, params RevokeOrganizationInvitationParams) (*OrganizationInvitation, *Response, error) {
	if err := firstError(checkID("organization_id", organizationID), checkID("invitation_id", invitationID)); err != nil {
		return nil, nil, err
	}
	return s.doInvitation(ctx, &Request{Operation: opInvitationRevoke, Method: http.MethodPost, Path: invitationPath(organizationID, invitationID) + "/revoke", Body: params})
}

// List returns one page of the organization's invitations, newest first
// unless params.OrderBy says otherwise. A nil params means no filters and
// the server's default page. See All to walk every page.
func (s *OrganizationInvitationsService) List(ctx context.Context, organizationID string, params *ListOrganizationInvitationsParams) (*OrganizationInvitations, *Response, error) {
	r, err := invitationListRequest(organizationID, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

// ListForInstance returns one page of the invitations of every organization
// of the instance, each with PublicOrganizationData. A nil params means no
// filters and the server's default page. See AllForInstance to walk every
// page.
func (s *OrganizationInvitationsService) ListForInstance(ctx context.Context, params *ListInstanceOrganizationInvitationsParams) (*OrganizationInvitations, *Response, error) {
	r, err := instanceInvitationListRequest(params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

// ListForUser returns one page of the invitations sent to the user's email
// addresses, in every organization, each with PublicOrganizationData. A nil
// params means no filters and the server's default page. See AllForUser to
// walk every page.
func (s *OrganizationInvitationsService) ListForUser(ctx context.Context, userID string, params *ListUserOrganizationInvitationsParams) (*OrganizationInvitations, *Response, error) {
	r, err := userInvitationListRequest(userID, params)
	if err != nil {
		return nil, nil, err
	}
	return s.doPage(ctx, r, nil)
}

// All walks every invitation of the organization that matches params, with
// the rules of OrganizationMembershipsService.All: from params.Offset on, in
// pages of params.Limit (500 when unset), concurrently up to the Client's
// page concurrency, in order; breaking out of the loop stops fetching; an
// error is yielded once, with a nil invitation, and ends the sequence.
func (s *OrganizationInvitationsService) All(ctx context.Context, organizationID string, params *ListOrganizationInvitationsParams) iter.Seq2[*OrganizationInvitation, error] {
	var p ListOrganizationInvitationsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		return invitationListRequest(organizationID, &q)
	})
}

// AllForInstance walks every invitation of every organization of the
// instance that matches params, as All does for one organization.
func (s *OrganizationInvitationsService) AllForInstance(ctx context.Context, params *ListInstanceOrganizationInvitationsParams) iter.Seq2[*OrganizationInvitation, error] {
	var p ListInstanceOrganizationInvitationsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		return instanceInvitationListRequest(&q)
	})
}

// AllForUser walks every invitation sent to the user's email addresses that
// matches params, as All does for one organization.
func (s *OrganizationInvitationsService) AllForUser(ctx context.Context, userID string, params *ListUserOrganizationInvitationsParams) iter.Seq2[*OrganizationInvitation, error] {
	var p ListUserOrganizationInvitationsParams
	if params != nil {
		p = *params
	}
	return s.walk(ctx, p.Offset, p.Limit, func(offset, limit int) (*Request, error) {
		q := p
		q.Offset, q.Limit = offset, limit
		return userInvitationListRequest(userID, &q)
	})
}

// walk walks the pages of the invitation list whose page at a given offset
// and size pageRequest builds.
func (s *OrganizationInvitationsService) walk(ctx context.Context, offset, limit int, pageRequest func(offset, limit int) (*Request, error)) iter.Seq2[*OrganizationInvitation, error] {
	return walk(s.client, ctx, offset, limit, func(ctx context.Context, offset, limit int, arrived func() error) (*listPage[*OrganizationInvitation], error) {
		r, err := pageRequest(offset, limit)
		if err != nil {
			return nil, err
		}
		page, _, err := s.doPage(ctx, r, arrived)
		if err != nil {
			return nil, err
		}
		return &listPage[*OrganizationInvitation]{Data: page.Data, TotalCount: page.TotalCount}, nil
	})
}

func invitationListRequest(organizationID string, params *ListOrganizationInvitationsParams) (*Request, error) {
	if err := checkID("organization_id", organizationID); err != nil {
		return nil, err
	}
	var q url.Values
	if params != nil {
		var err error
		if q, err = pageValues(params.Limit, params.Offset, params.OrderBy); err != nil {
			return nil, err
		}
		setIf(q, "status", params.Status)
		if params.EmailAddress != "" {
			if err := checkEmail(params.EmailAddress); err != nil {
				return nil, err
			}
			q.Set("email_address", params.EmailAddress)
		}
	}
	return &Request{Operation: opInvitationList, Method: http.MethodGet, Path: invitationsPath(organizationID), Query: q}, nil
}

func instanceInvitationListRequest(params *ListInstanceOrganizationInvitationsParams) (*Request, error) {
	var q url.Values
	if params != nil {
		var err error
		if q, err = pageValues(params.Limit, params.Offset, params.OrderBy); err != nil {
			return nil, err
		}
		setIf(q, "status", params.Status)
		setIf(q, "query", params.Query)
	}
	return &Request{Operation: opInvitationListInstance, Method: http.MethodGet, Path: "organization_invitations", Query: q}, nil
}

func userInvitationListRequest(userID string, params *ListUserOrganizationInvitationsParams) (*Request, error) {
	if err := checkID("user_id", userID); err != nil {
		return nil, err
	}
	var q url.Values
	if params != nil {
		var err error
		if q, err = pageValues(params.Limit, params.Offset, ""); err != nil {
			return nil, err
		}
		setIf(q, "status", params.Status)
	}
	return &Request{Operation: opInvitationListUser, Method: http.MethodGet, Path: "users/" + url.PathEscape(userID) + "/organization_invitations", Query: q}, nil
}

func (s *OrganizationInvitationsService) doInvitation(ctx context.Context, r *Request) (*OrganizationInvitation, *Response, error) {
	inv := new(OrganizationInvitation)
	resp, err := s.client.Do(ctx, r, inv)
	if err != nil {
		return nil, resp, metadataError(err)
	}
	return inv, resp, nil
}

// doPage fetches one page of invitations; arrived is passed to doWith.
func (s *OrganizationInvitationsService) doPage(ctx context.Context, r *Request, arrived func() error) (*OrganizationInvitations, *Response, error) {
	page := new(OrganizationInvitations)
	resp, err := s.client.doWith(ctx, r, page, arrived, false)
	if err != nil {
		return nil, resp, err
	}
	return page, resp, nil
}

// check validates one invitation; prefix says which one in a bulk call.
func (p *CreateOrganizationInvitationParams) check(prefix string) error {
	err := firstError(checkRequired("email_address", p.EmailAddress), checkEmail(p.EmailAddress), checkRequired("role", p.Role))
	if err == nil && (p.ExpiresInDays < 0 || p.ExpiresInDays > 365) {
		err = &ValidationError{Param: "expires_in_days", Message: "must be between 1 and 365 (0 means Clerk's default of 30), got " + strconv.Itoa(p.ExpiresInDays)}
	}
	var verr *ValidationError
	if prefix != "" && errors.As(err, &verr) {
		verr.Message = prefix + verr.Message
	}
	return err
}

// checkEmail rejects a string that is not an email address: exactly one "@"
// with a non-empty local part before it and a non-empty domain after it.
func checkEmail(email string) error {
	local, domain, found := strings.Cut(email, "@")
	switch {
	case !found || strings.Contains(domain, "@"):
		return &ValidationError{Param: "email_address", Message: "must hold exactly one \"@\", got " + strconv.Quote(email)}
	case local == "" || domain == "":
		return &ValidationError{Param: "email_address", Message: "needs a local part before the \"@\" and a domain after it, got " + strconv.Quote(email)}
	}
	return nil
}

// metadataError names metadata as what failed when a body cannot be
// encoded: the only part of these bodies that can fail to encode.
func metadataError(err error) error {
	var verr *ValidationError
	if errors.As(err, &verr) && verr.Param == "body" {
		verr.Param = "metadata"
	}
	return err
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

// invitationsPath is the escaped path of an organization's invitations.
func invitationsPath(organizationID string) string {
	return "organizations/" + url.PathEscape(organizationID) + "/invitations"
}

// invitationPath is the escaped path of one invitation.
func invitationPath(organizationID, invitationID string) string {
	return invitationsPath(organizationID) + "/" + url.PathEscape(invitationID)
}
