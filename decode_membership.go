package clerk

import (
	"encoding/json"
	"unicode/utf8"
)

// parser decodes a membership straight from the read buffer, without
// reflection, when it is in the shape Clerk sends: keys without escapes or
// non-ASCII bytes, strings of valid UTF-8 without escapes, integers that fit
// in 18 digits, string arrays without nulls. It refuses anything else (a
// method returns false), and the caller decodes that membership with
// encoding/json instead. Whatever it accepts, it decodes exactly as
// encoding/json does (case-insensitive keys, the last of repeated keys,
// null leaving a value as it is, metadata kept byte for byte);
// decode_test.go checks the two against each other on both Go releases.
type parser struct {
	b []byte
	i int // the next byte
	// short is set when b ended inside the value: more of the body may
	// complete it.
	short bool
	// whole says that b ends where the value ends, so that a number may end
	// at the end of b.
	whole bool
	// strs, when not nil, holds strings decoded before, to be shared by
	// memberships that repeat them (the organization's fields, roles,
	// permissions) instead of allocating each again.
	strs *stringCache
}

// stringCache remembers one short string per slot, by a cheap hash. A miss
// costs a comparison; strings are immutable, so sharing them is safe.
type stringCache [256]string

// maxCachedString is the longest string a stringCache keeps.
const maxCachedString = 48

func (c *stringCache) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxCachedString {
		return string(b)
	}
	slot := &c[(len(b)*31+int(b[0])*7+int(b[len(b)/2])*3+int(b[len(b)-1]))&255]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

// maxFastDepth is the nesting the parser follows in metadata; deeper values
// go to encoding/json, which enforces its own limit.
const maxFastDepth = 256

func isSpace(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// plain marks the bytes a string may hold and stay on the fast path: not
// the quote, the backslash, control characters or non-ASCII bytes.
// textByte marks the bytes that need no attention in metadata strings.
var plain, textByte [256]bool

func init() {
	for c := range 256 {
		textByte[c] = c >= ' ' && c != '"' && c != '\\'
		plain[c] = textByte[c] && c < utf8.RuneSelf
	}
}

// next skips whitespace and returns the next byte without consuming it.
func (p *parser) next() (byte, bool) {
	for p.i < len(p.b) {
		if c := p.b[p.i]; !isSpace(c) {
			return c, true
		}
		p.i++
	}
	p.short = true
	return 0, false
}

// member consumes what comes before a member of an object (its comma unless
// first) and the member's key and colon, or the end of the object.
func (p *parser) member(first bool) (key []byte, end, ok bool) {
	c, ok := p.next()
	if !ok {
		return nil, false, false
	}
	if c == '}' {
		p.i++
		return nil, true, true
	}
	if !first {
		if c != ',' {
			return nil, false, false
		}
		p.i++
		if c, ok = p.next(); !ok {
			return nil, false, false
		}
	}
	if c != '"' {
		return nil, false, false
	}
	start := p.i + 1
	j := start
	for j < len(p.b) && plain[p.b[j]] {
		j++
	}
	if j == len(p.b) {
		p.short = true
		return nil, false, false
	}
	if p.b[j] != '"' {
		return nil, false, false // an escape, a control character or non-ASCII
	}
	key = p.b[start:j]
	p.i = j + 1
	if c, ok = p.next(); !ok || c != ':' {
		return nil, false, false
	}
	p.i++
	return key, false, true
}

// members consumes the members of an object whose '{' is consumed, up to and
// including its '}', decoding each value with field.
func (p *parser) members(field func(key []byte) bool) bool {
	for first := true; ; first = false {
		key, end, ok := p.member(first)
		if !ok {
			return false
		}
		if end {
			return true
		}
		if !field(key) {
			return false
		}
	}
}

// foldMatch finds the name among names that key equals ignoring ASCII case,
// as encoding/json matches keys that equal no name exactly. key is ASCII.
func foldMatch(key []byte, names []string) (string, bool) {
next:
	for _, name := range names {
		if len(name) != len(key) {
			continue
		}
		for i := range len(key) {
			a, b := key[i], name[i]
			if 'A' <= a && a <= 'Z' {
				a += 'a' - 'A'
			}
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if a != b {
				continue next
			}
		}
		return name, true
	}
	return "", false
}

// literal consumes want, which must be next.
func (p *parser) literal(want string) bool {
	if len(p.b)-p.i < len(want) {
		p.short = !p.whole
		return false
	}
	if string(p.b[p.i:p.i+len(want)]) != want {
		return false
	}
	p.i += len(want)
	return true
}

// simpleString consumes a string without escapes or control characters
// whose bytes are valid UTF-8: encoding/json decodes such a string to its
// bytes unchanged.
func (p *parser) simpleString() (string, bool) {
	start := p.i + 1
	j := start
	for j < len(p.b) && plain[p.b[j]] {
		j++
	}
	ascii := true
	for j < len(p.b) && p.b[j] >= utf8.RuneSelf {
		ascii = false
		for j++; j < len(p.b) && textByte[p.b[j]]; j++ {
		}
	}
	if j == len(p.b) {
		p.short = true
		return "", false
	}
	if p.b[j] != '"' {
		return "", false
	}
	s := p.b[start:j]
	if !ascii && !utf8.Valid(s) {
		return "", false // encoding/json replaces invalid bytes
	}
	p.i = j + 1
	if p.strs != nil {
		return p.strs.get(s), true
	}
	return string(s), true
}

func (p *parser) str(dst *string) bool {
	c, ok := p.next()
	switch {
	case !ok:
		return false
	case c == '"':
		s, ok := p.simpleString()
		if ok {
			*dst = s
		}
		return ok
	case c == 'n':
		return p.literal("null") // leaves *dst as it is
	}
	return false
}

func (p *parser) strPtr(dst **string) bool {
	c, ok := p.next()
	switch {
	case !ok:
		return false
	case c == '"':
		s, ok := p.simpleString()
		if ok {
			*dst = &s
		}
		return ok
	case c == 'n':
		if !p.literal("null") {
			return false
		}
		*dst = nil
		return true
	}
	return false
}

// scanInt reads an integer of at most 18 digits from the start of b,
// refusing fractions and exponents; n is how many bytes it took, 0 when b
// does not start with such an integer or might continue it.
func scanInt(b []byte, whole bool) (v int64, n int, short bool) {
	j := 0
	if j < len(b) && b[j] == '-' {
		j++
	}
	start := j
	for j < len(b) && isDigit(b[j]) {
		v = v*10 + int64(b[j]-'0')
		j++
	}
	digits := j - start
	if j == len(b) && !whole {
		return 0, 0, true
	}
	if digits == 0 || digits > 18 || (digits > 1 && b[start] == '0') {
		return 0, 0, false
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return 0, 0, false // encoding/json refuses these for integers, or decides
	}
	if b[0] == '-' {
		v = -v
	}
	return v, j, false
}

// parseInt decodes raw, a whole value, if it is a plain integer.
func parseInt(raw []byte) (int64, bool) {
	v, n, _ := scanInt(raw, true)
	return v, n > 0 && n == len(raw)
}

// integer consumes an integer, or a null (which leaves a number as it is).
func (p *parser) integer() (v int64, null, ok bool) {
	c, ok := p.next()
	if !ok {
		return 0, false, false
	}
	if c == 'n' {
		return 0, true, p.literal("null")
	}
	v, n, short := scanInt(p.b[p.i:], p.whole)
	if n == 0 {
		p.short = short
		return 0, false, false
	}
	p.i += n
	return v, false, true
}

func (p *parser) int64Value(dst *int64) bool {
	v, null, ok := p.integer()
	if ok && !null {
		*dst = v
	}
	return ok
}

func (p *parser) intValue(dst *int) bool {
	v, null, ok := p.integer()
	if !ok || int64(int(v)) != v {
		return false // encoding/json reports the overflow
	}
	if !null {
		*dst = int(v)
	}
	return true
}

func (p *parser) boolValue(dst *bool) bool {
	c, ok := p.next()
	switch {
	case !ok:
		return false
	case c == 't':
		if !p.literal("true") {
			return false
		}
		*dst = true
		return true
	case c == 'f':
		if !p.literal("false") {
			return false
		}
		*dst = false
		return true
	case c == 'n':
		return p.literal("null")
	}
	return false
}

// strings decodes an array of strings; an empty array is an empty slice, not
// nil, as encoding/json makes it.
func (p *parser) strings(dst *[]string) bool {
	c, ok := p.next()
	switch {
	case !ok:
		return false
	case c == 'n':
		if !p.literal("null") {
			return false
		}
		*dst = nil
		return true
	case c != '[':
		return false
	}
	p.i++
	var buf [8]string // the elements, then one allocation of the right size
	list := buf[:0]
	for first := true; ; first = false {
		c, ok := p.next()
		if !ok {
			return false
		}
		if c == ']' {
			p.i++
			*dst = append(make([]string, 0, len(list)), list...)
			return true
		}
		if !first {
			if c != ',' {
				return false
			}
			p.i++
			if c, ok = p.next(); !ok {
				return false
			}
		}
		if c != '"' {
			return false // a null element would keep what encoding/json reuses
		}
		s, ok := p.simpleString()
		if !ok {
			return false
		}
		list = append(list, s)
	}
}

// raw decodes any valid value byte for byte, as json.RawMessage does.
func (p *parser) raw(dst *json.RawMessage) bool {
	if _, ok := p.next(); !ok {
		return false
	}
	start := p.i
	if !p.skip(0) {
		return false
	}
	*dst = append((*dst)[:0], p.b[start:p.i]...)
	return true
}

// skip consumes a value, checking that it is valid JSON as encoding/json
// reads it: bytes that are not UTF-8 are allowed in strings, and so are
// repeated keys.
func (p *parser) skip(depth int) bool {
	c, ok := p.next()
	if !ok {
		return false
	}
	switch c {
	case '{', '[':
		if depth >= maxFastDepth {
			return false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		p.i++
		if c, ok = p.next(); !ok {
			return false
		}
		if c == closing {
			p.i++
			return true
		}
		for {
			if closing == '}' {
				if c != '"' || !p.validString() {
					return false
				}
				if c, ok = p.next(); !ok || c != ':' {
					return false
				}
				p.i++
			}
			if !p.skip(depth + 1) {
				return false
			}
			if c, ok = p.next(); !ok {
				return false
			}
			p.i++
			if c == closing {
				return true
			}
			if c != ',' {
				return false
			}
			if c, ok = p.next(); !ok {
				return false
			}
		}
	case '"':
		return p.validString()
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	return p.number()
}

// validString consumes a string, checking its escapes.
func (p *parser) validString() bool {
	b := p.b
	j := p.i + 1
	for {
		for j < len(b) && textByte[b[j]] {
			j++
		}
		if j == len(b) {
			p.short = true
			return false
		}
		switch b[j] {
		case '"':
			p.i = j + 1
			return true
		case '\\':
		default:
			return false // a control character
		}
		if j+1 == len(b) {
			p.short = true
			return false
		}
		switch b[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			if j+6 > len(b) {
				p.short = true
				return false
			}
			for _, h := range b[j+2 : j+6] {
				if !isDigit(h) && !('a' <= h && h <= 'f') && !('A' <= h && h <= 'F') {
					return false
				}
			}
			j += 6
		default:
			return false
		}
	}
}

// number consumes a number as RFC 8259 defines it.
func (p *parser) number() bool {
	b := p.b
	j := p.i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j == len(b):
		p.short = !p.whole
		return false
	case b[j] == '0':
		j++
	case isDigit(b[j]):
		for j++; j < len(b) && isDigit(b[j]); j++ {
		}
	default:
		return false
	}
	if j < len(b) && b[j] == '.' {
		j++
		start := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == start {
			p.short = j == len(b) && !p.whole
			return false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		start := j
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j == start {
			p.short = j == len(b) && !p.whole
			return false
		}
	}
	if j == len(b) && !p.whole {
		p.short = true // the number may go on
		return false
	}
	p.i = j
	return true
}

// membershipNames are OrganizationMembership's keys, as its tags name them.
var membershipNames = []string{
	"object", "id", "role", "role_name", "permissions", "public_metadata", "private_metadata",
	"organization", "public_user_data", "created_at", "updated_at",
}

// membership decodes the object at the start of b into m.
func (p *parser) membership(m *OrganizationMembership) bool {
	p.i++ // the caller saw the '{'
	return p.members(func(key []byte) bool { return p.membershipField(m, key) })
}

func (p *parser) membershipField(m *OrganizationMembership, key []byte) bool {
	switch string(key) {
	case "object":
		return p.str(&m.Object)
	case "id":
		return p.str(&m.ID)
	case "role":
		return p.str(&m.Role)
	case "role_name":
		return p.str(&m.RoleName)
	case "permissions":
		return p.strings(&m.Permissions)
	case "public_metadata":
		return p.raw(&m.PublicMetadata)
	case "private_metadata":
		return p.raw(&m.PrivateMetadata)
	case "organization":
		return p.organization(&m.Organization)
	case "public_user_data":
		return p.publicUserData(&m.PublicUserData)
	case "created_at":
		return p.int64Value(&m.CreatedAt)
	case "updated_at":
		return p.int64Value(&m.UpdatedAt)
	}
	if name, ok := foldMatch(key, membershipNames); ok {
		return p.membershipField(m, []byte(name))
	}
	return p.skip(0)
}

// object starts decoding an object into the struct *dst points to,
// allocating it if *dst is nil (encoding/json decodes into the struct
// already there). A null sets *dst to nil and reports done.
func object[T any](p *parser, dst **T) (v *T, done, ok bool) {
	c, ok := p.next()
	switch {
	case !ok:
		return nil, false, false
	case c == 'n':
		if !p.literal("null") {
			return nil, false, false
		}
		*dst = nil
		return nil, true, true
	case c != '{':
		return nil, false, false
	}
	p.i++
	if *dst == nil {
		*dst = new(T)
	}
	return *dst, false, true
}

// organizationNames are Organization's keys, as its tags name them.
var organizationNames = []string{
	"object", "id", "name", "slug", "image_url", "has_image", "members_count",
	"missing_member_with_elevated_permissions", "pending_invitations_count", "max_allowed_memberships",
	"admin_delete_enabled", "public_metadata", "private_metadata", "created_by", "created_at",
	"updated_at", "last_active_at", "role_set_key",
}

func (p *parser) organization(dst **Organization) bool {
	o, done, ok := object(p, dst)
	if done || !ok {
		return ok
	}
	return p.members(func(key []byte) bool { return p.organizationField(o, key) })
}

func (p *parser) organizationField(o *Organization, key []byte) bool {
	switch string(key) {
	case "object":
		return p.str(&o.Object)
	case "id":
		return p.str(&o.ID)
	case "name":
		return p.str(&o.Name)
	case "slug":
		return p.str(&o.Slug)
	case "image_url":
		return p.str(&o.ImageURL)
	case "has_image":
		return p.boolValue(&o.HasImage)
	case "members_count":
		return p.intValue(&o.MembersCount)
	case "missing_member_with_elevated_permissions":
		return p.boolValue(&o.MissingMemberWithElevatedPermissions)
	case "pending_invitations_count":
		return p.intValue(&o.PendingInvitationsCount)
	case "max_allowed_memberships":
		return p.intValue(&o.MaxAllowedMemberships)
	case "admin_delete_enabled":
		return p.boolValue(&o.AdminDeleteEnabled)
	case "public_metadata":
		return p.raw(&o.PublicMetadata)
	case "private_metadata":
		return p.raw(&o.PrivateMetadata)
	case "created_by":
		return p.str(&o.CreatedBy)
	case "created_at":
		return p.int64Value(&o.CreatedAt)
	case "updated_at":
		return p.int64Value(&o.UpdatedAt)
	case "last_active_at":
		return p.int64Value(&o.LastActiveAt)
	case "role_set_key":
		return p.strPtr(&o.RoleSetKey)
	}
	if name, ok := foldMatch(key, organizationNames); ok {
		return p.organizationField(o, []byte(name))
	}
	return p.skip(0)
}

// publicUserDataNames are OrganizationMembershipPublicUserData's keys, as
// its tags name them.
var publicUserDataNames = []string{
	"user_id", "first_name", "last_name", "profile_image_url", "image_url", "has_image",
	"identifier", "username", "banned", "deprovisioned",
}

func (p *parser) publicUserData(dst **OrganizationMembershipPublicUserData) bool {
	u, done, ok := object(p, dst)
	if done || !ok {
		return ok
	}
	return p.members(func(key []byte) bool { return p.publicUserDataField(u, key) })
}

func (p *parser) publicUserDataField(u *OrganizationMembershipPublicUserData, key []byte) bool {
	switch string(key) {
	case "user_id":
		return p.str(&u.UserID)
	case "first_name":
		return p.strPtr(&u.FirstName)
	case "last_name":
		return p.strPtr(&u.LastName)
	case "profile_image_url":
		return p.strPtr(&u.ProfileImageURL)
	case "image_url":
		return p.str(&u.ImageURL)
	case "has_image":
		return p.boolValue(&u.HasImage)
	case "identifier":
		return p.strPtr(&u.Identifier)
	case "username":
		return p.strPtr(&u.Username)
	case "banned":
		return p.boolValue(&u.Banned)
	case "deprovisioned":
		return p.boolValue(&u.Deprovisioned)
	}
	if name, ok := foldMatch(key, publicUserDataNames); ok {
		return p.publicUserDataField(u, []byte(name))
	}
	return p.skip(0)
}
