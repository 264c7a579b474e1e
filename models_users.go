package clerk

import "encoding/json"

// User is a user of the instance, with the fields of Clerk's User object
// that matter for finding people and adding them to organizations. Fields
// Clerk may send as null are pointers; metadata stays raw JSON, byte for
// byte as Clerk sent it.
type User struct {
	Object                string          `json:"object"` // always "user"
	ID                    string          `json:"id"`     // "user_..."
	ExternalID            *string         `json:"external_id"`
	Username              *string         `json:"username"`
	FirstName             *string         `json:"first_name"`
	LastName              *string         `json:"last_name"`
	ImageURL              string          `json:"image_url"`
	HasImage              bool            `json:"has_image"`
	PrimaryEmailAddressID *string         `json:"primary_email_address_id"`
	EmailAddresses        []*EmailAddress `json:"email_addresses"`
	PublicMetadata        json.RawMessage `json:"public_metadata"`
	PrivateMetadata       json.RawMessage `json:"private_metadata,omitempty"`
	Banned                bool            `json:"banned"`
	Locked                bool            `json:"locked"`
	LastSignInAt          *int64          `json:"last_sign_in_at"` // Unix milliseconds
	LastActiveAt          *int64          `json:"last_active_at"`  // Unix milliseconds, day precision
	CreatedAt             int64           `json:"created_at"`      // Unix milliseconds
	UpdatedAt             int64           `json:"updated_at"`      // Unix milliseconds
}

// EmailAddress is one of a user's email addresses.
type EmailAddress struct {
	ID           string `json:"id"` // "idn_..."
	EmailAddress string `json:"email_address"`
	// Verification says how the address was verified; nil when it never was.
	Verification *EmailAddressVerification `json:"verification"`
}

// EmailAddressVerification is the state of an email address's verification.
type EmailAddressVerification struct {
	Status   string `json:"status"`             // such as "verified" or "unverified"
	Strategy string `json:"strategy,omitempty"` // such as "admin", "email_code" or "from_oauth_google"
}

// PrimaryEmailAddress returns the address PrimaryEmailAddressID names, or ""
// when the user has none (or u is nil).
func (u *User) PrimaryEmailAddress() string {
	if u == nil || u.PrimaryEmailAddressID == nil {
		return ""
	}
	for _, e := range u.EmailAddresses {
		if e != nil && e.ID == *u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}
