package clerktest

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A filter keeps the memberships it returns true for.
type filter func(m *membership) bool

func (s *Server) list(a *answer, orgID string, q url.Values) {
	filters, ok := a.listFilters(q)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[orgID]; !ok {
		a.notFound("Given organization not found.")
		return
	}
	filters = append(filters, func(m *membership) bool { return m.org.id == orgID })
	s.page(a, q, filters)
}

// listUser answers ListForUser: the user's memberships in every
// organization, newest first.
func (s *Server) listUser(a *answer, userID string, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[userID]; !ok {
		a.notFound("No user was found with id " + userID + ".")
		return
	}
	s.page(a, q, []filter{func(m *membership) bool { return m.user.id == userID }})
}

func (s *Server) listInstance(a *answer, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page(a, q, nil)
}

// page answers with the page of matching memberships that q's order_by,
// limit and offset select. The caller holds s.mu.
func (s *Server) page(a *answer, q url.Values, filters []filter) {
	limit, ok := a.intParam(q, "limit", 10, 1, 500)
	if !ok {
		return
	}
	offset, ok := a.intParam(q, "offset", 0, 0, -1)
	if !ok {
		return
	}
	order, ok := a.ordering(q.Get("order_by"))
	if !ok {
		return
	}
	var matches []*membership
	for _, m := range s.memberships {
		if !slices.ContainsFunc(filters, func(f filter) bool { return !f(m) }) {
			matches = append(matches, m)
		}
	}
	slices.SortStableFunc(matches, order)
	out := listJSON{Data: []membershipJSON{}, TotalCount: int64(len(matches))}
	type counts struct{ members, admins int }
	perOrg := map[*organization]counts{} // counted once per organization on the page
	for _, m := range matches[min(offset, len(matches)):min(offset+limit, len(matches))] {
		c, ok := perOrg[m.org]
		if !ok {
			c = counts{s.countMembers(m.org), s.countAdmins(m.org)}
			perOrg[m.org] = c
		}
		out.Data = append(out.Data, s.renderCounted(m, c.members, c.admins))
	}
	a.ok(out)
}

// intParam reads an integer query parameter within [lo, hi] (hi < 0: no
// upper bound), answering 422 otherwise.
func (a *answer) intParam(q url.Values, name string, def, lo, hi int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		a.fail(422, "form_param_format_invalid", "is invalid", name+" must be an integer.", name)
		return 0, false
	}
	if n < lo || (hi >= 0 && n > hi) {
		bound := "at least " + strconv.Itoa(lo)
		if hi >= 0 {
			bound = "between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi)
		}
		a.paramInvalid(name, name+" must be "+bound+".")
		return 0, false
	}
	return n, true
}

// sortKeys are the fields order_by accepts.
var sortKeys = map[string]func(m *membership) string{
	"email_address": func(m *membership) string { return strings.ToLower(m.user.EmailAddress) },
	"phone_number":  func(m *membership) string { return m.user.PhoneNumber },
	"first_name":    func(m *membership) string { return strings.ToLower(m.user.FirstName) },
	"last_name":     func(m *membership) string { return strings.ToLower(m.user.LastName) },
	"username":      func(m *membership) string { return strings.ToLower(m.user.Username) },
}

// ordering parses order_by ("-created_at" by default; + ascending, -
// descending, no prefix ascending). Ties keep creation order.
func (a *answer) ordering(orderBy string) (func(x, y *membership) int, bool) {
	if orderBy == "" {
		orderBy = "-created_at"
	}
	field, desc := orderBy, false
	switch orderBy[0] {
	case '-':
		field, desc = orderBy[1:], true
	case '+':
		field = orderBy[1:]
	}
	var cmpFn func(x, y *membership) int
	if field == "created_at" {
		cmpFn = func(x, y *membership) int { return cmp.Compare(x.createdAt, y.createdAt) }
	} else if key, ok := sortKeys[field]; ok {
		cmpFn = func(x, y *membership) int { return strings.Compare(key(x), key(y)) }
	} else {
		a.paramInvalid("order_by", "order_by must be one of created_at, email_address, first_name, last_name, phone_number or username, with an optional + or - prefix.")
		return nil, false
	}
	if desc {
		return func(x, y *membership) int { return cmpFn(y, x) }, true
	}
	return cmpFn, true
}

// listFilters turns the filters of the per-organization list into
// predicates, answering 422 for malformed times.
func (a *answer) listFilters(q url.Values) ([]filter, bool) {
	var fs []filter
	if ids := q["user_id"]; len(ids) > 0 {
		var include, exclude []string
		for _, id := range ids {
			switch {
			case strings.HasPrefix(id, "-"):
				exclude = append(exclude, id[1:])
			case strings.HasPrefix(id, "+"):
				include = append(include, id[1:])
			default:
				include = append(include, id)
			}
		}
		fs = append(fs, func(m *membership) bool {
			return (len(include) == 0 || slices.Contains(include, m.user.id)) && !slices.Contains(exclude, m.user.id)
		})
	}
	exact := []struct {
		param string
		value func(m *membership) string
	}{
		{"email_address", func(m *membership) string { return m.user.EmailAddress }},
		{"phone_number", func(m *membership) string { return m.user.PhoneNumber }},
		{"username", func(m *membership) string { return m.user.Username }},
		{"web3_wallet", func(m *membership) string { return m.user.Web3Wallet }},
		{"role", func(m *membership) string { return m.role }},
	}
	for _, e := range exact {
		if want := q[e.param]; len(want) > 0 {
			fs = append(fs, func(m *membership) bool { return slices.Contains(want, e.value(m)) })
		}
	}
	partial := []struct {
		param  string
		values func(m *membership) []string
	}{
		{"query", func(m *membership) []string {
			u := m.user
			return []string{u.EmailAddress, u.PhoneNumber, u.Username, u.Web3Wallet, u.id, u.FirstName, u.LastName}
		}},
		{"email_address_query", func(m *membership) []string { return []string{m.user.EmailAddress} }},
		{"phone_number_query", func(m *membership) []string { return []string{m.user.PhoneNumber} }},
		{"username_query", func(m *membership) []string { return []string{m.user.Username} }},
		{"name_query", func(m *membership) []string {
			return []string{m.user.FirstName, m.user.LastName, m.user.FirstName + " " + m.user.LastName}
		}},
	}
	for _, p := range partial {
		if needle := strings.ToLower(q.Get(p.param)); needle != "" {
			fs = append(fs, func(m *membership) bool {
				return slices.ContainsFunc(p.values(m), func(v string) bool { return strings.Contains(strings.ToLower(v), needle) })
			})
		}
	}
	times := []struct {
		param  string
		before bool
		value  func(m *membership) int64 // 0: never, which matches no range
	}{
		{"last_active_at_before", true, lastActive},
		{"last_active_at_after", false, lastActive},
		{"created_at_before", true, func(m *membership) int64 { return m.user.createdAt }},
		{"created_at_after", false, func(m *membership) int64 { return m.user.createdAt }},
	}
	for _, t := range times {
		v := q.Get(t.param)
		if v == "" {
			continue
		}
		limit, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			a.fail(422, "form_param_format_invalid", "is invalid", t.param+" must be a Unix timestamp in milliseconds.", t.param)
			return nil, false
		}
		fs = append(fs, func(m *membership) bool {
			at := t.value(m)
			return at != 0 && (t.before && at < limit || !t.before && at > limit)
		})
	}
	return fs, true
}

func lastActive(m *membership) int64 {
	if m.user.LastActiveAt.IsZero() {
		return 0
	}
	return m.user.LastActiveAt.UnixMilli()
}
