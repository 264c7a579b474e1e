package clerktest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/clerkkit/clerk-go/webhooks"
)

// maxMetadataBytes is Clerk's limit on each metadata object.
const maxMetadataBytes = 8 << 10

func (s *Server) create(a *answer, orgID string, body map[string]json.RawMessage) {
	if !a.onlyFields(body, "user_id", "role", "public_metadata", "private_metadata") {
		return
	}
	userID, ok := a.stringField(body, "user_id")
	if !ok {
		return
	}
	roleKey, ok := a.stringField(body, "role")
	if !ok {
		return
	}
	public, _, ok := a.metadataField(body, "public_metadata", true)
	if !ok {
		return
	}
	private, _, ok := a.metadataField(body, "private_metadata", true)
	if !ok || !a.metadataFits("public_metadata", public) || !a.metadataFits("private_metadata", private) {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	org, u := s.orgAndUser(a, orgID, userID)
	if u == nil || !a.knownRole(s, roleKey) {
		return
	}
	if s.findMembership(orgID, userID) != nil {
		a.fail(http.StatusBadRequest, "already_a_member_in_organization", "already a member",
			userID+" is already a member of the organization.", "")
		return
	}
	if org.maxMembers > 0 && s.countMembers(org)+s.countPendingInvitations(org, s.nowMilli()) >= org.maxMembers {
		a.fail(http.StatusForbidden, "organization_membership_quota_exceeded", "membership quota exceeded",
			"You have reached your limit of "+strconv.Itoa(org.maxMembers)+" organization memberships, including outstanding invitations.", "")
		return
	}
	now := s.nowMilli()
	m := &membership{
		id: "orgmem_" + randomID(27), org: org, user: u, role: roleKey,
		publicMetadata: orEmpty(public), privateMetadata: orEmpty(private),
		createdAt: now, updatedAt: now,
	}
	s.memberships = append(s.memberships, m)
	out := s.render(m)
	a.ok(out)
	s.queueEvent(webhooks.EventOrganizationMembershipCreated, out, a.origin)
}

func (s *Server) update(a *answer, orgID, userID string, body map[string]json.RawMessage) {
	if !a.onlyFields(body, "role") {
		return
	}
	roleKey, ok := a.stringField(body, "role")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(a, orgID, userID)
	if m == nil || !a.knownRole(s, roleKey) {
		return
	}
	if s.isAdmin(m.role) && !s.isAdmin(roleKey) && s.countAdmins(m.org) == 1 {
		a.lastAdmin()
		return
	}
	m.role = roleKey
	m.updatedAt = s.nowMilli()
	out := s.render(m)
	a.ok(out)
	s.queueEvent(webhooks.EventOrganizationMembershipUpdated, out, a.origin)
}

func (s *Server) delete(a *answer, orgID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(a, orgID, userID)
	if m == nil {
		return
	}
	if s.isAdmin(m.role) && s.countAdmins(m.org) == 1 {
		a.lastAdmin()
		return
	}
	s.memberships = slices.DeleteFunc(s.memberships, func(x *membership) bool { return x == m })
	out := s.render(m)
	a.ok(out)
	s.queueEvent(webhooks.EventOrganizationMembershipDeleted, out, a.origin)
}

func (s *Server) updateMetadata(a *answer, orgID, userID string, body map[string]json.RawMessage) {
	if !a.onlyFields(body, "public_metadata", "private_metadata") {
		return
	}
	public, hasPublic, ok := a.metadataField(body, "public_metadata", false)
	if !ok {
		return
	}
	private, hasPrivate, ok := a.metadataField(body, "private_metadata", false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(a, orgID, userID)
	if m == nil {
		return
	}
	newPublic, newPrivate := m.publicMetadata, m.privateMetadata
	if hasPublic {
		newPublic = deepMerge(clone(m.publicMetadata), public)
	}
	if hasPrivate {
		newPrivate = deepMerge(clone(m.privateMetadata), private)
	}
	if !a.metadataFits("public_metadata", newPublic) || !a.metadataFits("private_metadata", newPrivate) {
		return
	}
	m.publicMetadata, m.privateMetadata = newPublic, newPrivate
	m.updatedAt = s.nowMilli()
	out := s.render(m)
	a.ok(out)
	s.queueEvent(webhooks.EventOrganizationMembershipUpdated, out, a.origin)
}

// orgAndUser finds the organization and the user, answering 404 and
// returning nils when either is unknown. The caller holds s.mu.
func (s *Server) orgAndUser(a *answer, orgID, userID string) (*organization, *user) {
	org, ok := s.orgs[orgID]
	if !ok {
		a.notFound("Given organization not found.")
		return nil, nil
	}
	u, ok := s.users[userID]
	if !ok {
		a.notFound("No user was found with id " + userID + ".")
		return nil, nil
	}
	return org, u
}

// lookup finds the membership, answering 404 for an unknown organization,
// user or membership. The caller holds s.mu.
func (s *Server) lookup(a *answer, orgID, userID string) *membership {
	if _, u := s.orgAndUser(a, orgID, userID); u == nil {
		return nil
	}
	m := s.findMembership(orgID, userID)
	if m == nil {
		a.notFound("Given organization membership not found.")
	}
	return m
}

func (s *Server) findMembership(orgID, userID string) *membership {
	for _, m := range s.memberships {
		if m.org.id == orgID && m.user.id == userID {
			return m
		}
	}
	return nil
}

func (s *Server) countMembers(org *organization) int {
	n := 0
	for _, m := range s.memberships {
		if m.org == org {
			n++
		}
	}
	return n
}

func (s *Server) countAdmins(org *organization) int {
	n := 0
	for _, m := range s.memberships {
		if m.org == org && s.isAdmin(m.role) {
			n++
		}
	}
	return n
}

func (s *Server) isAdmin(roleKey string) bool {
	return slices.Contains(s.roles[roleKey].permissions, manageMemberships)
}

func (a *answer) knownRole(s *Server, roleKey string) bool {
	if _, ok := s.roles[roleKey]; !ok {
		a.paramInvalid("role", "role must be one of the roles of this instance, got "+roleKey+".")
		return false
	}
	return true
}

func (a *answer) lastAdmin() {
	a.fail(http.StatusBadRequest, "organization_minimum_permissions_needed", "minimum permissions needed",
		"There has to be at least one organization member with the minimum required permissions", "")
}

// metadataFits answers 422 when m encodes to more than Clerk's 8 KB.
func (a *answer) metadataFits(param string, m map[string]any) bool {
	b, _ := json.Marshal(m)
	if len(b) > maxMetadataBytes {
		a.fail(http.StatusUnprocessableEntity, "form_param_exceeds_allowed_size", "exceeds allowed size",
			param+" exceeds the maximum allowed size of 8KB.", param)
		return false
	}
	return true
}

// deepMerge merges patch into dst as Clerk does: nested objects merge, a
// null deletes its key at any depth, and anything else replaces the value.
func deepMerge(dst, patch map[string]any) map[string]any {
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			existing, _ := dst[k].(map[string]any)
			dst[k] = deepMerge(clone(existing), pv)
		default:
			dst[k] = v
		}
	}
	return dst
}

// clone copies m deeply enough for deepMerge never to change m itself.
func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if inner, ok := v.(map[string]any); ok {
			v = clone(inner)
		}
		out[k] = v
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// The JSON shapes Clerk answers with.
type membershipJSON struct {
	Object          string         `json:"object"`
	ID              string         `json:"id"`
	Role            string         `json:"role"`
	RoleName        string         `json:"role_name"`
	Permissions     []string       `json:"permissions"`
	PublicMetadata  map[string]any `json:"public_metadata"`
	PrivateMetadata map[string]any `json:"private_metadata"`
	Organization    orgJSON        `json:"organization"`
	PublicUserData  publicUserJSON `json:"public_user_data"`
	CreatedAt       int64          `json:"created_at"`
	UpdatedAt       int64          `json:"updated_at"`
}

type orgJSON struct {
	Object                               string         `json:"object"`
	ID                                   string         `json:"id"`
	Name                                 string         `json:"name"`
	Slug                                 string         `json:"slug"`
	ImageURL                             string         `json:"image_url"`
	HasImage                             bool           `json:"has_image"`
	MembersCount                         int            `json:"members_count"`
	MissingMemberWithElevatedPermissions bool           `json:"missing_member_with_elevated_permissions"`
	PendingInvitationsCount              int            `json:"pending_invitations_count"`
	MaxAllowedMemberships                int            `json:"max_allowed_memberships"`
	AdminDeleteEnabled                   bool           `json:"admin_delete_enabled"`
	PublicMetadata                       map[string]any `json:"public_metadata"`
	PrivateMetadata                      map[string]any `json:"private_metadata"`
	CreatedAt                            int64          `json:"created_at"`
	UpdatedAt                            int64          `json:"updated_at"`
	RoleSetKey                           *string        `json:"role_set_key"`
}

type publicUserJSON struct {
	UserID          string  `json:"user_id"`
	FirstName       *string `json:"first_name"`
	LastName        *string `json:"last_name"`
	ProfileImageURL *string `json:"profile_image_url"`
	ImageURL        string  `json:"image_url"`
	HasImage        bool    `json:"has_image"`
	Identifier      *string `json:"identifier"`
	Username        *string `json:"username"`
	Banned          bool    `json:"banned"`
	Deprovisioned   bool    `json:"deprovisioned"`
}

type listJSON struct {
	Data       []membershipJSON `json:"data"`
	TotalCount int64            `json:"total_count"`
}

// render builds m's JSON. The caller holds s.mu.
func (s *Server) render(m *membership) membershipJSON {
	return s.renderCounted(m, s.countMembers(m.org), s.countAdmins(m.org))
}

// renderCounted builds m's JSON given its organization's counts of members
// and admins, so that a page counts them once rather than once per
// membership. The caller holds s.mu.
func (s *Server) renderCounted(m *membership, members, admins int) membershipJSON {
	u := m.user
	image := "https://img.clerk.com/default/" + u.id
	r := s.roles[m.role]
	return membershipJSON{
		Object: "organization_membership", ID: m.id, Role: m.role, RoleName: r.name,
		Permissions:    append([]string{}, r.permissions...),
		PublicMetadata: m.publicMetadata, PrivateMetadata: m.privateMetadata,
		Organization: orgJSON{
			Object: "organization", ID: m.org.id, Name: m.org.name, Slug: m.org.slug,
			ImageURL: "https://img.clerk.com/default/" + m.org.id, MembersCount: members,
			MissingMemberWithElevatedPermissions: admins == 0,
			MaxAllowedMemberships:                m.org.maxMembers, AdminDeleteEnabled: true,
			PublicMetadata: map[string]any{}, PrivateMetadata: map[string]any{},
			CreatedAt: m.org.createdAt, UpdatedAt: m.org.createdAt,
		},
		PublicUserData: publicUserJSON{
			UserID: u.id, FirstName: nullable(u.FirstName), LastName: nullable(u.LastName),
			ProfileImageURL: &image, ImageURL: image,
			Identifier: nullable(firstNonEmpty(u.EmailAddress, u.PhoneNumber, u.Username, u.Web3Wallet)),
			Username:   nullable(u.Username),
		},
		CreatedAt: m.createdAt, UpdatedAt: m.updatedAt,
	}
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
