package clerk

import (
	"encoding/json"
)

// OrganizationMembership is a user's membership in an organization.
// Metadata stays raw JSON, byte for byte as Clerk sent it, so that nothing is
// lost (numbers above 2^53, key order) and nothing is decoded that the caller
// never reads; decode it with json.Unmarshal into a type of your own.
type OrganizationMembership struct {
	Object          string                                `json:"object"` // always "organization_membership"
	ID              string                                `json:"id"`     // "orgmem_..."
	Role            string                                `json:"role"`   // a role key such as "org:admin"
	RoleName        string                                `json:"role_name,omitempty"`
	Permissions     []string                              `json:"permissions"`
	PublicMetadata  json.RawMessage                       `json:"public_metadata"`
	PrivateMetadata json.RawMessage                       `json:"private_metadata,omitempty"`
	Organization    *Organization                         `json:"organization"`
	PublicUserData  *OrganizationMembershipPublicUserData `json:"public_user_data,omitempty"`
	CreatedAt       int64                                 `json:"created_at"` // Unix milliseconds
	UpdatedAt       int64                                 `json:"updated_at"` // Unix milliseconds
}

// OrganizationMemberships is one page of memberships.
type OrganizationMemberships struct {
	Data []*OrganizationMembership `json:"data"`
	// TotalCount counts every membership that matches the query, not just
	// this page.
	TotalCount int64 `json:"total_count"`
}

// Organization is the organization a membership belongs to. Optional fields
// that Clerk may omit are zero when absent; RoleSetKey, which Clerk may send
// as null, is a pointer.
type Organization struct {
	Object                               string          `json:"object"` // always "organization"
	ID                                   string          `json:"id"`     // "org_..."
	Name                                 string          `json:"name"`
	Slug                                 string          `json:"slug"`
	ImageURL                             string          `json:"image_url,omitempty"`
	HasImage                             bool            `json:"has_image"`
	MembersCount                         int             `json:"members_count,omitempty"`
	MissingMemberWithElevatedPermissions bool            `json:"missing_member_with_elevated_permissions,omitempty"`
	PendingInvitationsCount              int             `json:"pending_invitations_count,omitempty"`
	MaxAllowedMemberships                int             `json:"max_allowed_memberships"`
	AdminDeleteEnabled                   bool            `json:"admin_delete_enabled"`
	PublicMetadata                       json.RawMessage `json:"public_metadata"`
	PrivateMetadata                      json.RawMessage `json:"private_metadata,omitempty"`
	CreatedBy                            string          `json:"created_by,omitempty"` // a user ID
	CreatedAt                            int64           `json:"created_at"`           // Unix milliseconds
	UpdatedAt                            int64           `json:"updated_at"`           // Unix milliseconds
	LastActiveAt                         int64           `json:"last_active_at,omitempty"`
	RoleSetKey                           *string         `json:"role_set_key,omitempty"`
}

// OrganizationMembershipPublicUserData is the public part of the member's
// user record. Fields Clerk may send as null are pointers.
type OrganizationMembershipPublicUserData struct {
	UserID    string  `json:"user_id"`
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
	// Deprecated: Clerk deprecated profile_image_url; use ImageURL.
	ProfileImageURL *string `json:"profile_image_url"`
	ImageURL        string  `json:"image_url"`
	HasImage        bool    `json:"has_image"`
	Identifier      *string `json:"identifier,omitempty"` // such as the primary email address
	Username        *string `json:"username,omitempty"`
	Banned          bool    `json:"banned,omitempty"`
	Deprovisioned   bool    `json:"deprovisioned,omitempty"`
}
