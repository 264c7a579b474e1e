package clerk

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// maxFilterValues is how many values Clerk accepts in one list filter.
const maxFilterValues = 100

// opUserList is the operation name of Users.List: Clerk's operationId.
const opUserList = "GetUserList"

// UsersService finds the users of the instance, such as the accounts behind
// a list of email addresses. Get it from Client.Users.
type UsersService struct {
	client *Client
}

// ListUsersParams filters and pages Users.List and Users.All. Zero values
// are not sent; every filter given must match.
type ListUsersParams struct {
	// EmailAddresses keeps the users with any of these addresses, at most
	// 100, each with exactly one "@"; Clerk matches them ignoring case and
	// ignores the ones it does not know.
	EmailAddresses []string
	// ExternalIDs keeps the users with these external IDs, at most 100; an ID
	// prefixed with - is excluded instead.
	ExternalIDs []string
	// UserIDs keeps these users, at most 100; an ID prefixed with - is
	// excluded instead.
	UserIDs []string
	// OrganizationIDs keeps the members of these organizations, at most 100;
	// an ID prefixed with - excludes that organization's members instead.
	OrganizationIDs []string
	// Query matches part of an email address, phone number, username, web3
	// wallet, user ID, first or last name.
	Query string
	// OrderBy sorts by created_at, updated_at, email_address, web3wallet,
	// first_name, last_name, phone_number, username, last_active_at or
	// last_sign_in_at, prefixed with + (ascending) or - (descending); Clerk's
	// default is "-created_at", newest first.
	OrderBy string
	Limit   int // 1 to 500; 0 means the server default (10)
	Offset  int // not negative; 0 when StartingAfter is set
	// StartingAfter is a cursor: the ID of the last user of the previous
	// page, to get the users after it. It needs the created_at ordering
	// (OrderBy "", "created_at", "+created_at" or "-created_at") and no
	// Offset. Unlike a large Offset, which Clerk must walk past and which
	// gets slower the further it goes, a cursor page costs the same anywhere
	// in the list.
	StartingAfter string
}

// List returns one page of the instance's users that match params, newest
// first unless params.OrderBy says otherwise. Clerk answers with a bare
// array, without a total count: a page shorter than the limit is the last.
// A nil params means no filters and the server's default page (10 users).
// To look people up by email address, pass up to 100 addresses in
// EmailAddresses and a Limit of at least as many.
func (s *UsersService) List(ctx context.Context, params *ListUsersParams) ([]*User, *Response, error) {
	q, err := params.values()
	if err != nil {
		return nil, nil, err
	}
	var users []*User
	resp, err := s.client.Do(ctx, &Request{Operation: opUserList, Method: http.MethodGet, Path: "users", Query: q}, &users)
	if err != nil {
		return nil, resp, err
	}
	if users == nil {
		users = []*User{}
	}
	return users, resp, nil
}

// All walks every user that matches params, page after page, from
// params.Offset (or params.StartingAfter) on, in pages of params.Limit (500
// when unset), until a page shorter than that. It never modifies params. With
// the created_at ordering (Clerk's default) it asks for each page after the
// first with a cursor, the ID of the last user so far, so that a long walk
// neither slows down nor skips or repeats users who sign up meanwhile; with
// another ordering it pages by offset. Pages are fetched one after another.
// Breaking out of the loop stops fetching; an error is yielded once, with a
// nil user, and ends the sequence.
func (s *UsersService) All(ctx context.Context, params *ListUsersParams) iter.Seq2[*User, error] {
	var p ListUsersParams
	if params != nil {
		p = *params
	}
	if p.Limit == 0 {
		p.Limit = maxPageSize
	}
	cursor := createdAtOrdering(p.OrderBy)
	return func(yield func(*User, error) bool) {
		for {
			users, _, err := s.List(ctx, &p)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, u := range users {
				if !yield(u, nil) {
					return
				}
			}
			if len(users) < p.Limit {
				return
			}
			if !cursor {
				p.Offset += len(users)
				continue
			}
			last := users[len(users)-1]
			if last == nil || last.ID == "" {
				yield(nil, errors.New("clerk: "+opUserList+": a page ended with a user without an ID, so the next page cannot be asked for"))
				return
			}
			p.StartingAfter, p.Offset = last.ID, 0
		}
	}
}

// values checks p and encodes it as the query of GetUserList; a nil p
// encodes to nothing.
func (p *ListUsersParams) values() (url.Values, error) {
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
		{"email_address", p.EmailAddresses}, {"external_id", p.ExternalIDs},
		{"user_id", p.UserIDs}, {"organization_id", p.OrganizationIDs},
	} {
		if len(f.list) > maxFilterValues {
			return nil, &ValidationError{Param: f.key, Message: "accepts at most 100 values per call, got " + strconv.Itoa(len(f.list)) + "; split the list"}
		}
		if len(f.list) > 0 {
			q[f.key] = f.list
		}
	}
	for _, e := range p.EmailAddresses {
		if err := checkEmail(e); err != nil {
			return nil, err
		}
	}
	setIf(q, "query", p.Query)
	if p.StartingAfter != "" {
		switch {
		case p.Offset != 0:
			return nil, &ValidationError{Param: "starting_after", Message: "cannot be combined with a non-zero offset"}
		case !createdAtOrdering(p.OrderBy):
			return nil, &ValidationError{Param: "starting_after", Message: "needs the created_at ordering, not order_by " + strconv.Quote(p.OrderBy)}
		}
		q.Set("starting_after", p.StartingAfter)
	}
	return q, nil
}

// createdAtOrdering reports whether orderBy sorts by created_at, the only
// ordering Clerk pages with a cursor.
func createdAtOrdering(orderBy string) bool {
	switch orderBy {
	case "", "created_at", "+created_at", "-created_at":
		return true
	}
	return false
}
