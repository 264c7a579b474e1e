package clerktest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clerkkit/clerk-go/webhooks"
)

// Invitation statuses, as Clerk names them.
const (
	statusPending  = "pending"
	statusAccepted = "accepted"
	statusRevoked  = "revoked"
	statusExpired  = "expired"
)

const (
	maxBulkInvitations   = 10
	defaultExpiresInDays = 30
	dayMilli             = int64(24 * time.Hour / time.Millisecond)
	invitationAcceptURL  = "https://accounts.clerktest.invalid/accept-invitation"
)

// peopleState is what the server keeps for invitations and per-operation
// limits. Guarded by Server.mu.
type peopleState struct {
	invitations []*invitation           // in creation order
	limits      map[string]*windowLimit // by operationId; nil until first used
}

type invitation struct {
	id                              string
	org                             *organization
	email, role                     string
	inviter                         *user // nil: the Backend API invited
	status                          string
	publicMetadata, privateMetadata map[string]any
	redirectURL                     string
	expiresAt                       int64 // Unix milliseconds
	createdAt, updatedAt            int64
}

// statusAt is the invitation's status at now (Unix milliseconds): a pending
// invitation past its expiry is expired.
func (inv *invitation) statusAt(now int64) string {
	if inv.status == statusPending && now >= inv.expiresAt {
		return statusExpired
	}
	return inv.status
}

// invitationInput is one invitation of a create body, checked.
type invitationInput struct {
	email, role, inviterID, redirectURL string
	public, private                     map[string]any
	days                                int
}

// AcceptInvitation accepts the pending invitation as its invitee would by
// following the link: it creates a user with the invitation's email address
// when no user has it (matched ignoring case), makes that user a member of
// the organization with the invitation's role and metadata, marks the
// invitation accepted, and emits organizationInvitation.accepted and
// organizationMembership.created to the webhook endpoints. It returns the
// user's ID. It panics when the invitation does not exist or is not pending,
// or when the user is already a member, which are bugs in the test.
func (s *Server) AcceptInvitation(invitationID string) (userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvitation(invitationID)
	now := s.nowMilli()
	switch {
	case inv == nil:
		panic("clerktest: no invitation " + invitationID)
	case inv.statusAt(now) != statusPending:
		panic("clerktest: invitation " + invitationID + " is " + inv.statusAt(now) + ", not pending")
	}
	u := s.userByEmail(inv.email)
	if u == nil {
		u = &user{User: User{EmailAddress: inv.email}, id: "user_" + randomID(27), createdAt: now}
		s.users[u.id] = u
	} else if s.findMembership(inv.org.id, u.id) != nil {
		panic("clerktest: " + u.id + " (" + inv.email + ") is already a member of " + inv.org.id)
	}
	inv.status, inv.updatedAt = statusAccepted, now
	m := &membership{
		id: "orgmem_" + randomID(27), org: inv.org, user: u, role: inv.role,
		publicMetadata: clone(inv.publicMetadata), privateMetadata: clone(inv.privateMetadata),
		createdAt: now, updatedAt: now,
	}
	s.memberships = append(s.memberships, m)
	s.queueEvent(webhooks.EventOrganizationInvitationAccepted, s.renderInvitation(inv, now, false), httpRequestJSON{})
	s.queueEvent(webhooks.EventOrganizationMembershipCreated, s.render(m), httpRequestJSON{})
	return u.id
}

// ExpireInvitation makes a pending invitation expire now, as if its
// expires_in_days had passed. It panics when the invitation does not exist
// or is not pending, which is a bug in the test.
func (s *Server) ExpireInvitation(invitationID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvitation(invitationID)
	now := s.nowMilli()
	if inv == nil || inv.statusAt(now) != statusPending {
		panic("clerktest: no pending invitation " + invitationID)
	}
	inv.expiresAt = now
}

func (s *Server) createInvitation(a *answer, orgID string, body map[string]json.RawMessage) {
	in, ok := a.invitationInput(body)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	created, ok := s.invite(a, orgID, []invitationInput{in})
	if ok {
		a.ok(created[0])
	}
}

func (s *Server) createInvitationBulk(a *answer, orgID string, items []map[string]json.RawMessage) {
	if len(items) == 0 || len(items) > maxBulkInvitations {
		a.fail(http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid",
			"You can send from 1 to 10 invitations per request, not "+strconv.Itoa(len(items))+".", "")
		return
	}
	ins := make([]invitationInput, len(items))
	for i, body := range items {
		in, ok := a.invitationInput(body)
		if !ok {
			return
		}
		ins[i] = in
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	created, ok := s.invite(a, orgID, ins)
	if ok {
		a.ok(invitationListJSON{Data: created, TotalCount: int64(len(created))})
	}
}

// invitationInput checks one invitation of a create body.
func (a *answer) invitationInput(body map[string]json.RawMessage) (invitationInput, bool) {
	var in invitationInput
	if !a.onlyFields(body, "email_address", "inviter_user_id", "role", "public_metadata", "private_metadata",
		"redirect_url", "expires_in_days", "notify") {
		return in, false
	}
	var ok bool
	if in.email, ok = a.stringField(body, "email_address"); !ok {
		return in, false
	}
	if !validEmail(in.email) {
		a.fail(http.StatusUnprocessableEntity, "form_param_format_invalid", "is invalid",
			"email_address must be a valid email address.", "email_address")
		return in, false
	}
	if in.role, ok = a.stringField(body, "role"); !ok {
		return in, false
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"inviter_user_id", &in.inviterID}, {"redirect_url", &in.redirectURL}} {
		if raw, has := body[f.name]; has && string(raw) != "null" && json.Unmarshal(raw, f.dst) != nil {
			a.paramInvalid(f.name, f.name+" must be a string.")
			return in, false
		}
	}
	in.days = defaultExpiresInDays
	if raw, has := body["expires_in_days"]; has && string(raw) != "null" {
		if json.Unmarshal(raw, &in.days) != nil || in.days < 1 || in.days > 365 {
			a.paramInvalid("expires_in_days", "expires_in_days must be an integer between 1 and 365.")
			return in, false
		}
	}
	if raw, has := body["notify"]; has && string(raw) != "null" {
		var notify bool
		if json.Unmarshal(raw, &notify) != nil {
			a.paramInvalid("notify", "notify must be a boolean.")
			return in, false
		}
	}
	if in.public, _, ok = a.metadataField(body, "public_metadata", true); !ok {
		return in, false
	}
	if in.private, _, ok = a.metadataField(body, "private_metadata", true); !ok {
		return in, false
	}
	return in, a.metadataFits("public_metadata", in.public) && a.metadataFits("private_metadata", in.private)
}

// invite creates the invitations, all or none, after checking each against
// the organization: a known role, an inviter who is an admin member, an
// email address that is not a member's and has no pending invitation, and
// room in the membership quota. The caller holds s.mu.
func (s *Server) invite(a *answer, orgID string, ins []invitationInput) ([]invitationJSON, bool) {
	org, ok := s.orgs[orgID]
	if !ok {
		a.notFound("Given organization not found.")
		return nil, false
	}
	now := s.nowMilli()
	for i, in := range ins {
		if !a.knownRole(s, in.role) || !s.checkInviter(a, org, in.inviterID, "inviter_user_id") {
			return nil, false
		}
		if u := s.userByEmail(in.email); u != nil && s.findMembership(orgID, u.id) != nil {
			a.fail(http.StatusBadRequest, "already_a_member_in_organization", "already a member",
				in.email+" is already a member of the organization.", "email_address")
			return nil, false
		}
		duplicate := slices.ContainsFunc(ins[:i], func(o invitationInput) bool { return strings.EqualFold(o.email, in.email) })
		if duplicate || s.pendingInvitation(org, in.email, now) != nil {
			a.fail(http.StatusBadRequest, "duplicate_record", "duplicate invitation",
				"There is already a pending invitation for "+in.email+" in this organization.", "email_address")
			return nil, false
		}
	}
	if org.maxMembers > 0 && s.countMembers(org)+s.countPendingInvitations(org, now)+len(ins) > org.maxMembers {
		a.fail(http.StatusForbidden, "organization_membership_quota_exceeded", "membership quota exceeded",
			"You have reached your limit of "+strconv.Itoa(org.maxMembers)+" organization memberships, including outstanding invitations.", "")
		return nil, false
	}
	out := make([]invitationJSON, len(ins))
	for i, in := range ins {
		at := now
		if i > 0 {
			at = s.nowMilli()
		}
		inv := &invitation{
			id: "orginv_" + randomID(27), org: org, email: in.email, role: in.role, status: statusPending,
			inviter: s.users[in.inviterID], publicMetadata: orEmpty(in.public), privateMetadata: orEmpty(in.private),
			redirectURL: in.redirectURL, expiresAt: at + int64(in.days)*dayMilli, createdAt: at, updatedAt: at,
		}
		s.people.invitations = append(s.people.invitations, inv)
		out[i] = s.renderInvitation(inv, at, false)
		s.queueEvent(webhooks.EventOrganizationInvitationCreated, out[i], a.origin)
	}
	return out, true
}

// checkInviter accepts an empty ID, or the ID of an admin member of org; it
// answers 404 for an unknown user and 403 for one who is not an admin there.
// The caller holds s.mu.
func (s *Server) checkInviter(a *answer, org *organization, userID, param string) bool {
	if userID == "" {
		return true
	}
	if _, ok := s.users[userID]; !ok {
		a.notFound("No user was found with id " + userID + ".")
		return false
	}
	if m := s.findMembership(org.id, userID); m == nil || !s.isAdmin(m.role) {
		a.fail(http.StatusForbidden, "not_an_admin_in_organization", "not an admin",
			"The user given as "+param+" must be an administrator of the organization.", param)
		return false
	}
	return true
}

func (s *Server) getInvitation(a *answer, orgID, invitationID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv := s.lookupInvitation(a, orgID, invitationID); inv != nil {
		a.ok(s.renderInvitation(inv, s.nowMilli(), false))
	}
}

func (s *Server) revokeInvitation(a *answer, orgID, invitationID string, body map[string]json.RawMessage) {
	if !a.onlyFields(body, "requesting_user_id") {
		return
	}
	var requester string
	if raw, has := body["requesting_user_id"]; has && string(raw) != "null" && json.Unmarshal(raw, &requester) != nil {
		a.paramInvalid("requesting_user_id", "requesting_user_id must be a string.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.lookupInvitation(a, orgID, invitationID)
	if inv == nil || !s.checkInviter(a, inv.org, requester, "requesting_user_id") {
		return
	}
	now := s.nowMilli()
	if st := inv.statusAt(now); st != statusPending {
		a.fail(http.StatusBadRequest, "organization_invitation_not_pending", "not pending",
			"Only pending invitations can be revoked; this one is "+st+".", "")
		return
	}
	inv.status, inv.updatedAt = statusRevoked, now
	out := s.renderInvitation(inv, now, false)
	a.ok(out)
	s.queueEvent(webhooks.EventOrganizationInvitationRevoked, out, a.origin)
}

func (s *Server) listInvitations(a *answer, orgID string, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[orgID]; !ok {
		a.notFound("Given organization not found.")
		return
	}
	email := q.Get("email_address")
	s.invitationPage(a, q, true, false, func(inv *invitation) bool {
		return inv.org.id == orgID && (email == "" || strings.EqualFold(inv.email, email))
	})
}

func (s *Server) listInstanceInvitations(a *answer, q url.Values) {
	needle := strings.ToLower(q.Get("query"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invitationPage(a, q, true, true, func(inv *invitation) bool {
		return strings.Contains(strings.ToLower(inv.email), needle)
	})
}

// listUserInvitations answers with the invitations sent to the user's
// email address, in every organization, newest first.
func (s *Server) listUserInvitations(a *answer, userID string, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		a.notFound("No user was found with id " + userID + ".")
		return
	}
	s.invitationPage(a, q, false, true, func(inv *invitation) bool {
		return u.EmailAddress != "" && strings.EqualFold(inv.email, u.EmailAddress)
	})
}

// invitationPage answers with the page of matching invitations that q's
// status, order_by (when ordered), limit and offset select, with each
// invitation's organization when withOrg. The caller holds s.mu.
func (s *Server) invitationPage(a *answer, q url.Values, ordered, withOrg bool, keep func(inv *invitation) bool) {
	limit, ok := a.intParam(q, "limit", 10, 1, 500)
	if !ok {
		return
	}
	offset, ok := a.intParam(q, "offset", 0, 0, -1)
	if !ok {
		return
	}
	status := q.Get("status")
	if !slices.Contains([]string{"", statusPending, statusAccepted, statusRevoked, statusExpired}, status) {
		a.paramInvalid("status", "status must be one of pending, accepted, revoked or expired.")
		return
	}
	orderBy := "-created_at"
	if ordered && q.Get("order_by") != "" {
		orderBy = q.Get("order_by")
	}
	order, ok := invitationOrdering(orderBy)
	if !ok {
		a.paramInvalid("order_by", "order_by must be created_at or email_address, with an optional + or - prefix.")
		return
	}
	now := s.nowMilli()
	var matches []*invitation
	for _, inv := range s.people.invitations {
		if keep(inv) && (status == "" || inv.statusAt(now) == status) {
			matches = append(matches, inv)
		}
	}
	slices.SortStableFunc(matches, order)
	out := invitationListJSON{Data: []invitationJSON{}, TotalCount: int64(len(matches))}
	for _, inv := range matches[min(offset, len(matches)):min(offset+limit, len(matches))] {
		out.Data = append(out.Data, s.renderInvitation(inv, now, withOrg))
	}
	a.ok(out)
}

// invitationOrdering parses an order_by of the invitation lists: created_at
// or email_address, + (or no prefix) ascending, - descending.
func invitationOrdering(orderBy string) (func(x, y *invitation) int, bool) {
	field, desc := strings.TrimPrefix(orderBy, "+"), false
	if f, ok := strings.CutPrefix(orderBy, "-"); ok {
		field, desc = f, true
	}
	var c func(x, y *invitation) int
	switch field {
	case "created_at":
		c = func(x, y *invitation) int { return cmp.Compare(x.createdAt, y.createdAt) }
	case "email_address":
		c = func(x, y *invitation) int { return strings.Compare(strings.ToLower(x.email), strings.ToLower(y.email)) }
	default:
		return nil, false
	}
	if desc {
		return func(x, y *invitation) int { return c(y, x) }, true
	}
	return c, true
}

// lookupInvitation finds the organization's invitation, answering 404 for an
// unknown organization or invitation. The caller holds s.mu.
func (s *Server) lookupInvitation(a *answer, orgID, invitationID string) *invitation {
	if _, ok := s.orgs[orgID]; !ok {
		a.notFound("Given organization not found.")
		return nil
	}
	inv := s.findInvitation(invitationID)
	if inv == nil || inv.org.id != orgID {
		a.notFound("Given organization invitation not found.")
		return nil
	}
	return inv
}

func (s *Server) findInvitation(id string) *invitation {
	for _, inv := range s.people.invitations {
		if inv.id == id {
			return inv
		}
	}
	return nil
}

// pendingInvitation returns org's pending invitation for email (ignoring
// case), or nil. The caller holds s.mu.
func (s *Server) pendingInvitation(org *organization, email string, now int64) *invitation {
	for _, inv := range s.people.invitations {
		if inv.org == org && inv.statusAt(now) == statusPending && strings.EqualFold(inv.email, email) {
			return inv
		}
	}
	return nil
}

func (s *Server) countPendingInvitations(org *organization, now int64) int {
	n := 0
	for _, inv := range s.people.invitations {
		if inv.org == org && inv.statusAt(now) == statusPending {
			n++
		}
	}
	return n
}

// validEmail accepts what Clerk would take for an email address: one "@"
// between a non-empty local part and a domain with a dot, and no spaces or
// control characters.
func validEmail(email string) bool {
	local, domain, ok := strings.Cut(email, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		strings.Contains(strings.Trim(domain, "."), ".") &&
		!strings.ContainsFunc(email, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// The JSON shapes Clerk answers with.
type invitationJSON struct {
	Object                 string         `json:"object"`
	ID                     string         `json:"id"`
	EmailAddress           string         `json:"email_address"`
	Role                   string         `json:"role"`
	RoleName               string         `json:"role_name"`
	OrganizationID         string         `json:"organization_id"`
	InviterID              *string        `json:"inviter_id"`
	PublicInviterData      *inviterJSON   `json:"public_inviter_data"`
	Status                 string         `json:"status"`
	PublicMetadata         map[string]any `json:"public_metadata"`
	PrivateMetadata        map[string]any `json:"private_metadata"`
	URL                    *string        `json:"url"`
	ExpiresAt              *int64         `json:"expires_at"`
	CreatedAt              int64          `json:"created_at"`
	UpdatedAt              int64          `json:"updated_at"`
	PublicOrganizationData *publicOrgJSON `json:"public_organization_data,omitempty"`
}

type inviterJSON struct {
	UserID     string  `json:"user_id"`
	FirstName  *string `json:"first_name"`
	LastName   *string `json:"last_name"`
	ImageURL   string  `json:"image_url"`
	HasImage   bool    `json:"has_image"`
	Identifier string  `json:"identifier"`
}

type publicOrgJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	ImageURL string `json:"image_url"`
	HasImage bool   `json:"has_image"`
}

type invitationListJSON struct {
	Data       []invitationJSON `json:"data"`
	TotalCount int64            `json:"total_count"`
}

// renderInvitation builds inv's JSON as of now, with its organization's
// public data when withOrg. The caller holds s.mu.
func (s *Server) renderInvitation(inv *invitation, now int64, withOrg bool) invitationJSON {
	expires := inv.expiresAt
	link := invitationAcceptURL + "?__clerk_ticket=" + url.QueryEscape(inv.id)
	if inv.redirectURL != "" {
		link += "&redirect_url=" + url.QueryEscape(inv.redirectURL)
	}
	out := invitationJSON{
		Object: "organization_invitation", ID: inv.id, EmailAddress: inv.email, Role: inv.role,
		RoleName: s.roles[inv.role].name, OrganizationID: inv.org.id, Status: inv.statusAt(now),
		PublicMetadata: inv.publicMetadata, PrivateMetadata: inv.privateMetadata,
		URL: &link, ExpiresAt: &expires, CreatedAt: inv.createdAt, UpdatedAt: inv.updatedAt,
	}
	if u := inv.inviter; u != nil {
		out.InviterID = &u.id
		out.PublicInviterData = &inviterJSON{
			UserID: u.id, FirstName: nullable(u.FirstName), LastName: nullable(u.LastName),
			ImageURL:   "https://img.clerk.com/default/" + u.id,
			Identifier: firstNonEmpty(u.EmailAddress, u.PhoneNumber, u.Username, u.Web3Wallet),
		}
	}
	if withOrg {
		out.PublicOrganizationData = &publicOrgJSON{ID: inv.org.id, Name: inv.org.name, Slug: inv.org.slug,
			ImageURL: "https://img.clerk.com/default/" + inv.org.id}
	}
	return out
}
