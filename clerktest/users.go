package clerktest

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// userSortKeys are the fields GetUserList's order_by accepts besides
// created_at, updated_at, last_active_at and last_sign_in_at.
var userSortKeys = map[string]func(u *user) string{
	"email_address": func(u *user) string { return strings.ToLower(u.EmailAddress) },
	"web3wallet":    func(u *user) string { return strings.ToLower(u.Web3Wallet) },
	"first_name":    func(u *user) string { return strings.ToLower(u.FirstName) },
	"last_name":     func(u *user) string { return strings.ToLower(u.LastName) },
	"phone_number":  func(u *user) string { return u.PhoneNumber },
	"username":      func(u *user) string { return strings.ToLower(u.Username) },
}

// listUsers answers GetUserList: the users matching every filter given,
// newest first unless order_by says otherwise, as a bare array, by limit and
// offset or by the starting_after cursor.
func (s *Server) listUsers(a *answer, q url.Values) {
	limit, ok := a.intParam(q, "limit", 10, 1, 500)
	if !ok {
		return
	}
	offset, ok := a.intParam(q, "offset", 0, 0, -1)
	if !ok {
		return
	}
	for _, key := range []string{"email_address", "external_id", "user_id", "organization_id"} {
		if len(q[key]) > 100 {
			a.paramInvalid(key, key+" accepts up to 100 values.")
			return
		}
	}
	orderBy := cmp.Or(q.Get("order_by"), "-created_at")
	order, byCreation, ok := userOrdering(orderBy)
	if !ok {
		a.paramInvalid("order_by", "order_by must be one of created_at, updated_at, email_address, web3wallet, first_name, last_name, phone_number, username, last_active_at or last_sign_in_at, with an optional + or - prefix.")
		return
	}
	after := q.Get("starting_after")
	if after != "" && !byCreation {
		a.paramInvalid("starting_after", "starting_after can only be used with the created_at ordering.")
		return
	}
	if after != "" && offset != 0 {
		a.paramInvalid("starting_after", "starting_after cannot be combined with a non-zero offset.")
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var cursor *user
	if after != "" {
		if cursor = s.users[after]; cursor == nil {
			a.paramInvalid("starting_after", "starting_after must be the ID of a user, got "+after+".")
			return
		}
	}
	keep := s.userFilters(q)
	var matches []*user
	for _, u := range s.users {
		if keep(u) && (cursor == nil || order(cursor, u) < 0) {
			matches = append(matches, u)
		}
	}
	slices.SortFunc(matches, func(x, y *user) int {
		return cmp.Or(order(x, y), cmp.Compare(x.createdAt, y.createdAt), strings.Compare(x.id, y.id))
	})
	out := []userJSON{}
	for _, u := range matches[min(offset, len(matches)):min(offset+limit, len(matches))] {
		out = append(out, renderUser(u))
	}
	a.ok(out)
}

// userOrdering parses GetUserList's order_by; byCreation says whether it
// sorts by created_at, the only ordering a cursor may page.
func userOrdering(orderBy string) (order func(x, y *user) int, byCreation, ok bool) {
	field, desc := strings.TrimPrefix(orderBy, "+"), false
	if f, cut := strings.CutPrefix(orderBy, "-"); cut {
		field, desc = f, true
	}
	switch field {
	case "created_at", "updated_at": // users here are never updated
		order, byCreation = func(x, y *user) int { return cmp.Compare(x.createdAt, y.createdAt) }, field == "created_at"
	case "last_active_at":
		order = func(x, y *user) int { return cmp.Compare(x.LastActiveAt.UnixMilli(), y.LastActiveAt.UnixMilli()) }
	case "last_sign_in_at": // nobody signs in here
		order = func(x, y *user) int { return 0 }
	default:
		key, known := userSortKeys[field]
		if !known {
			return nil, false, false
		}
		order = func(x, y *user) int { return strings.Compare(key(x), key(y)) }
	}
	if desc {
		asc := order
		order = func(x, y *user) int { return asc(y, x) }
	}
	return order, byCreation, true
}

// userFilters returns a predicate keeping the users that match every filter
// of q. The caller holds s.mu.
func (s *Server) userFilters(q url.Values) func(u *user) bool {
	emails := q["email_address"]
	users := includeExclude(q["user_id"])
	externals := includeExclude(q["external_id"])
	orgs := includeExclude(q["organization_id"])
	needle := strings.ToLower(q.Get("query"))
	return func(u *user) bool {
		if len(emails) > 0 && !slices.ContainsFunc(emails, func(e string) bool { return u.EmailAddress != "" && strings.EqualFold(e, u.EmailAddress) }) {
			return false
		}
		if !users.keeps(func(id string) bool { return id == u.id }) {
			return false
		}
		if !externals.keeps(func(string) bool { return false }) { // users here have no external ID
			return false
		}
		if !orgs.keeps(func(orgID string) bool { return s.findMembership(orgID, u.id) != nil }) {
			return false
		}
		return needle == "" || slices.ContainsFunc([]string{u.EmailAddress, u.PhoneNumber, u.Username, u.Web3Wallet, u.id, u.FirstName, u.LastName},
			func(v string) bool { return strings.Contains(strings.ToLower(v), needle) })
	}
}

// idSet is a filter of IDs, each prefixed with + (or nothing) to include or
// - to exclude.
type idSet struct{ include, exclude []string }

func includeExclude(ids []string) idSet {
	var set idSet
	for _, id := range ids {
		if rest, ok := strings.CutPrefix(id, "-"); ok {
			set.exclude = append(set.exclude, rest)
		} else {
			set.include = append(set.include, strings.TrimPrefix(id, "+"))
		}
	}
	return set
}

// keeps reports whether a record passes the filter, given which IDs it has.
func (set idSet) keeps(has func(id string) bool) bool {
	return (len(set.include) == 0 || slices.ContainsFunc(set.include, has)) && !slices.ContainsFunc(set.exclude, has)
}

// userByEmail returns the oldest user whose email address is email, ignoring
// case, or nil. The caller holds s.mu.
func (s *Server) userByEmail(email string) *user {
	var found *user
	for _, u := range s.users {
		if u.EmailAddress != "" && strings.EqualFold(u.EmailAddress, email) && (found == nil || u.createdAt < found.createdAt) {
			found = u
		}
	}
	return found
}

// The JSON shape of a user, with every field Clerk's User object requires.
type userJSON struct {
	ID                            string             `json:"id"`
	Object                        string             `json:"object"`
	ExternalID                    *string            `json:"external_id"`
	PrimaryEmailAddressID         *string            `json:"primary_email_address_id"`
	PrimaryPhoneNumberID          *string            `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID           *string            `json:"primary_web3_wallet_id"`
	Username                      *string            `json:"username"`
	FirstName                     *string            `json:"first_name"`
	LastName                      *string            `json:"last_name"`
	ImageURL                      string             `json:"image_url"`
	HasImage                      bool               `json:"has_image"`
	PublicMetadata                map[string]any     `json:"public_metadata"`
	PrivateMetadata               map[string]any     `json:"private_metadata"`
	UnsafeMetadata                map[string]any     `json:"unsafe_metadata"`
	EmailAddresses                []emailAddressJSON `json:"email_addresses"`
	PhoneNumbers                  []struct{}         `json:"phone_numbers"`
	Web3Wallets                   []struct{}         `json:"web3_wallets"`
	Passkeys                      []struct{}         `json:"passkeys"`
	PasswordEnabled               bool               `json:"password_enabled"`
	TwoFactorEnabled              bool               `json:"two_factor_enabled"`
	TOTPEnabled                   bool               `json:"totp_enabled"`
	BackupCodeEnabled             bool               `json:"backup_code_enabled"`
	MFAEnabledAt                  *int64             `json:"mfa_enabled_at"`
	MFADisabledAt                 *int64             `json:"mfa_disabled_at"`
	ExternalAccounts              []struct{}         `json:"external_accounts"`
	SAMLAccounts                  []struct{}         `json:"saml_accounts"`
	EnterpriseAccounts            []struct{}         `json:"enterprise_accounts"`
	LastSignInAt                  *int64             `json:"last_sign_in_at"`
	Banned                        bool               `json:"banned"`
	Locked                        bool               `json:"locked"`
	LockoutExpiresInSeconds       *int64             `json:"lockout_expires_in_seconds"`
	VerificationAttemptsRemaining *int64             `json:"verification_attempts_remaining"`
	UpdatedAt                     int64              `json:"updated_at"`
	CreatedAt                     int64              `json:"created_at"`
	DeleteSelfEnabled             bool               `json:"delete_self_enabled"`
	CreateOrganizationEnabled     bool               `json:"create_organization_enabled"`
	LastActiveAt                  *int64             `json:"last_active_at"`
	LegalAcceptedAt               *int64             `json:"legal_accepted_at"`
}

type emailAddressJSON struct {
	ID           string           `json:"id"`
	Object       string           `json:"object"`
	EmailAddress string           `json:"email_address"`
	Reserved     bool             `json:"reserved"`
	Verification verificationJSON `json:"verification"`
	LinkedTo     []struct{}       `json:"linked_to"`
	CreatedAt    int64            `json:"created_at"`
	UpdatedAt    int64            `json:"updated_at"`
}

type verificationJSON struct {
	Object   string `json:"object"`
	Status   string `json:"status"`
	Strategy string `json:"strategy"`
	Attempts *int   `json:"attempts"`
	ExpireAt *int64 `json:"expire_at"`
}

// renderUser builds u's JSON. Its email address, when it has one, is its
// primary one, verified by the Backend API. Phone numbers and web3 wallets
// are matched by the filters but not listed.
func renderUser(u *user) userJSON {
	out := userJSON{
		ID: u.id, Object: "user", Username: nullable(u.Username), FirstName: nullable(u.FirstName), LastName: nullable(u.LastName),
		ImageURL: "https://img.clerk.com/default/" + u.id, PublicMetadata: map[string]any{}, PrivateMetadata: map[string]any{},
		UnsafeMetadata: map[string]any{}, EmailAddresses: []emailAddressJSON{}, PhoneNumbers: []struct{}{}, Web3Wallets: []struct{}{},
		Passkeys: []struct{}{}, ExternalAccounts: []struct{}{}, SAMLAccounts: []struct{}{}, EnterpriseAccounts: []struct{}{},
		UpdatedAt: u.createdAt, CreatedAt: u.createdAt, DeleteSelfEnabled: true, CreateOrganizationEnabled: true,
	}
	if u.EmailAddress != "" {
		id := emailAddressID(u)
		out.PrimaryEmailAddressID = &id
		out.EmailAddresses = append(out.EmailAddresses, emailAddressJSON{
			ID: id, Object: "email_address", EmailAddress: u.EmailAddress,
			Verification: verificationJSON{Object: "verification_admin", Status: "verified", Strategy: "admin"},
			LinkedTo:     []struct{}{}, CreatedAt: u.createdAt, UpdatedAt: u.createdAt,
		})
	}
	if !u.LastActiveAt.IsZero() {
		ms := u.LastActiveAt.UnixMilli()
		out.LastActiveAt = &ms
	}
	return out
}

// emailAddressID is the ID of u's email address: stable, and unique as
// user IDs are.
func emailAddressID(u *user) string { return "idn_" + strings.TrimPrefix(u.id, "user_") }
