package clerk

import "encoding/json"

// OrganizationInvitation is an invitation for an email address to join an
// organization with a role. Fields Clerk may send as null are pointers;
// metadata stays raw JSON, byte for byte as Clerk sent it, as for
// memberships. When the invitation is accepted, its metadata becomes the
// new membership's.
type OrganizationInvitation struct {
	Object         string  `json:"object"` // always "organization_invitation"
	ID             string  `json:"id"`     // "orginv_..."
	EmailAddress   string  `json:"email_address"`
	Role           string  `json:"role"` // a role key such as "org:member"
	RoleName       string  `json:"role_name"`
	OrganizationID string  `json:"organization_id"`
	InviterID      *string `json:"inviter_id"` // the inviting user; nil when the Backend API invited
	// PublicInviterData is the public part of the inviting user's record;
	// nil when nobody invited (the Backend API did).
	PublicInviterData *OrganizationInvitationPublicUserData `json:"public_inviter_data"`
	// PublicOrganizationData is sent only by ListForInstance and
	// ListForUser (and their iterators); nil elsewhere.
	PublicOrganizationData *OrganizationInvitationPublicOrganizationData `json:"public_organization_data,omitempty"`
	Status                 string                                        `json:"status"` // "pending", "accepted", "revoked" or "expired"
	PublicMetadata         json.RawMessage                               `json:"public_metadata"`
	PrivateMetadata        json.RawMessage                               `json:"private_metadata,omitempty"`
	URL                    *string                                       `json:"url"`        // the link the invitee follows; nil when none was made
	ExpiresAt              *int64                                        `json:"expires_at"` // Unix milliseconds; nil when it never expires
	CreatedAt              int64                                         `json:"created_at"` // Unix milliseconds
	UpdatedAt              int64                                         `json:"updated_at"` // Unix milliseconds
}

// OrganizationInvitations is one page of invitations.
type OrganizationInvitations struct {
	Data []*OrganizationInvitation `json:"data"`
	// TotalCount counts every invitation that matches the query, not just
	// this page.
	TotalCount int64 `json:"total_count"`
}

// OrganizationInvitationPublicUserData is the public part of the record of
// the user who sent an invitation. Fields Clerk may send as null are
// pointers.
type OrganizationInvitationPublicUserData struct {
	UserID     string  `json:"user_id"`
	FirstName  *string `json:"first_name"`
	LastName   *string `json:"last_name"`
	ImageURL   string  `json:"image_url"`
	HasImage   bool    `json:"has_image"`
	Identifier string  `json:"identifier"` // such as the inviter's primary email address
}

// OrganizationInvitationPublicOrganizationData is the public part of the
// record of the organization an invitation is for.
type OrganizationInvitationPublicOrganizationData struct {
	ID       string `json:"id"` // "org_..."
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	ImageURL string `json:"image_url,omitempty"`
	HasImage bool   `json:"has_image"`
}
