package clerk

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The page decoder (decode.go, decode_membership.go) must decode every body
// exactly as the json.Decoder token streaming it replaced: same pages, and an
// error whenever that gave one. These tests hold it to that reference on
// whichever Go release runs them; CI runs both, and on Go 1.27 encoding/json
// is the v2 engine, so the reference is the one users had on each.

// referenceDecode is the decoder clerk-go used before issue 10, unchanged: a
// json.Decoder reads the envelope token by token and each membership with
// Decode.
func referenceDecode(body []byte) (*OrganizationMemberships, error) {
	p := &OrganizationMemberships{Data: make([]*OrganizationMembership, 0, 4)}
	err := referenceDecodeFrom(p, json.NewDecoder(bytes.NewReader(body)))
	return p, err
}

func referenceDecodeFrom(p *OrganizationMemberships, dec *json.Decoder) error {
	if err := referenceExpectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		switch key {
		case "data":
			if err := referenceDecodeData(p, dec); err != nil {
				return err
			}
		case "total_count":
			if err := dec.Decode(&p.TotalCount); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	return referenceExpectDelim(dec, '}')
}

func referenceDecodeData(p *OrganizationMemberships, dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return err
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("data: expected an array, got %v", tok)
	}
	for dec.More() {
		m := new(OrganizationMembership)
		if err := dec.Decode(m); err != nil {
			return err
		}
		p.Data = append(p.Data, m)
	}
	return referenceExpectDelim(dec, ']')
}

func referenceExpectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("expected %v, got %v", want, tok)
	}
	return nil
}

// decodePage decodes body with decodeBody, reading it through wrap.
func decodePage(body []byte, wrap func(io.Reader) io.Reader) (*OrganizationMemberships, error) {
	p := &OrganizationMemberships{Data: make([]*OrganizationMembership, 0, 4)}
	err := decodeBody(wrap(bytes.NewReader(body)), p)
	return p, err
}

func whole(r io.Reader) io.Reader { return r }

// randomChunks returns pieces of 1 to 200 bytes, to cross every boundary.
func randomChunks(seed uint64) func(io.Reader) io.Reader {
	return func(r io.Reader) io.Reader {
		return &chunkReader{r: r, rng: rand.New(rand.NewPCG(seed, 1))}
	}
}

type chunkReader struct {
	r   io.Reader
	rng *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if n := 1 + c.rng.IntN(200); len(p) > n {
		p = p[:n]
	}
	return c.r.Read(p)
}

// assertDecodesLikeReference decodes body with decodeBody through several
// readers and with the reference, and requires the same outcome.
func assertDecodesLikeReference(t testing.TB, body []byte) (*OrganizationMemberships, error) {
	t.Helper()
	want, wantErr := referenceDecode(body)
	var got *OrganizationMemberships
	var gotErr error
	for _, rd := range []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{{"whole", whole}, {"one byte at a time", iotest.OneByteReader}, {"random chunks", randomChunks(uint64(len(body)))}} {
		got, gotErr = decodePage(body, rd.wrap)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%s: body %q:\ngot error %v\nreference error %v", rd.name, body, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: body %q:\ngot       %s\nreference %s", rd.name, body, dump(got), dump(want))
		}
	}
	return got, gotErr
}

// dump shows a page with its pointers followed and nil apart from empty.
func dump(p *OrganizationMemberships) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total=%d data=%v(%d)", p.TotalCount, p.Data == nil, len(p.Data))
	for _, m := range p.Data {
		fmt.Fprintf(&b, "\n  %#v", *m)
		if m.Organization != nil {
			fmt.Fprintf(&b, "\n    org %#v", *m.Organization)
		}
		if m.PublicUserData != nil {
			fmt.Fprintf(&b, "\n    user %#v", *m.PublicUserData)
		}
	}
	return b.String()
}

// clerkMembership is a membership as Clerk sends it, with meta as its public
// metadata.
func clerkMembership(i int, meta string) string {
	return fmt.Sprintf(`{"object":"organization_membership","id":"orgmem_%06d","role":"org:member","role_name":"Member",`+
		`"permissions":["org:sys_memberships:read","org:posts:read"],"public_metadata":%s,"private_metadata":{},`+
		`"organization":{"object":"organization","id":"org_1","name":"Acme Corp","slug":"acme-corp",`+
		`"image_url":"https://img.clerk.com/x","has_image":true,"members_count":2048,`+
		`"missing_member_with_elevated_permissions":false,"pending_invitations_count":3,"max_allowed_memberships":5000,`+
		`"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},"created_by":"user_1",`+
		`"created_at":1716883200000,"updated_at":1716883200000,"last_active_at":1716883200001,"role_set_key":null},`+
		`"public_user_data":{"user_id":"user_%06d","first_name":"Jane","last_name":null,"profile_image_url":"https://img.clerk.com/y",`+
		`"image_url":"https://img.clerk.com/y","has_image":true,"identifier":"jane@acme.com","username":"jane","banned":false,"deprovisioned":false},`+
		`"created_at":1716883200000,"updated_at":1716883200002}`, i, meta, i)
}

func page(members ...string) string {
	return `{"data":[` + strings.Join(members, ",") + `],"total_count":` + fmt.Sprint(len(members)) + `}`
}

// decodeCases are bodies whose decoding must match the reference. Most are
// edge cases of JSON and of encoding/json's semantics; they seed the fuzz
// test too.
var decodeCases = []struct{ name, body string }{
	{"a page as Clerk sends it", page(clerkMembership(1, `{}`), clerkMembership(2, `{"a":1}`))},
	{"an empty page", `{"data":[],"total_count":0}`},
	{"an empty object", `{}`},
	{"null data is an empty page", `{"data":null,"total_count":7}`},
	{"no data", `{"total_count":7}`},
	{"white space everywhere", " \n\t{ \"data\" :\r [ { \"id\" : \"a\" , \"role\" : \"r\" } , { } ] , \"total_count\" : 2 } "},
	{"unknown envelope keys are skipped", `{"object":"list","data":[{"id":"a"}],"next":{"x":[1,2,{"y":null}]},"total_count":1,"z":"\u00e9"}`},
	{"unknown membership keys are skipped", `{"data":[{"id":"a","new_field":{"deep":[1,"two",false,null,-1.5e-3]},"other":"x\"y"}]}`},
	{"unknown nested keys are skipped", `{"data":[{"organization":{"id":"o","extra":[[]],"name":"n"},"public_user_data":{"user_id":"u","x":1}}]}`},
	{"an invalid unknown value is an error", `{"data":[{"id":"a","new_field":[1,]}]}`},
	{"an invalid unknown envelope value is an error", `{"data":[],"next":{"a" 1}}`},
	{"metadata is kept byte for byte", `{"data":[{"public_metadata":{"b":9007199254740993,"a":[1.0,2e10, "x" ],"b":"dup"} ,"private_metadata": "s\u00e9\n"}]}`},
	{"metadata null is the literal null", `{"data":[{"public_metadata":null,"private_metadata":null}]}`},
	{"metadata of every kind", `{"data":[{"public_metadata":[],"private_metadata":-0.5E+3},{"public_metadata":true,"private_metadata":"x"},{"public_metadata":0}]}`},
	{"metadata with invalid UTF-8 is kept", "{\"data\":[{\"public_metadata\":{\"k\xff\":\"v\xfe\"}}]}"},
	{"metadata with a lone surrogate escape is kept", `{"data":[{"public_metadata":{"k":"\ud800"}}]}`},
	{"metadata with a control character is an error", "{\"data\":[{\"public_metadata\":{\"k\":\"a\x01\"}}]}"},
	{"metadata with a bad escape is an error", `{"data":[{"public_metadata":{"k":"\x"}}]}`},
	{"metadata with a bad number is an error", `{"data":[{"public_metadata":{"k":01}}]}`},
	{"metadata with a trailing comma is an error", `{"data":[{"public_metadata":{"k":1,}}]}`},
	{"deeply nested metadata", `{"data":[{"public_metadata":` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `}]}`},
	{"too deeply nested metadata", `{"data":[{"public_metadata":` + strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001) + `}]}`},
	{"keys match case-insensitively", `{"data":[{"ID":"a","Role_Name":"R","PUBLIC_METADATA":{},"Organization":{"NAME":"n"},"public_USER_data":{"User_Id":"u"}}]}`},
	{"keys with other delimiters do not match", `{"data":[{"rolename":"a","role-name":"b","publicmetadata":{}}]}`},
	{"a Kelvin sign matches k", "{\"data\":[{\"organization\":{\"slug\":\"s\",\"\u212aey\":1}},{\"\u212a\":1,\"ro\u212ae\":1}]}"},
	{"envelope keys match exactly", `{"Data":[{"id":"a"}],"TOTAL_COUNT":3}`},
	{"escaped envelope keys are unescaped", `{"d\u0061ta":[{"id":"a"}],"total\u005fcount":3}`},
	{"escaped membership keys", `{"data":[{"i\u0064":"a","r\u006fle":"b"}]}`},
	{"repeated keys: the last wins", `{"data":[{"id":"a","id":"b","role":"x","ROLE":"y","permissions":["a","b"],"permissions":["c"]}]}`},
	{"a repeated organization merges", `{"data":[{"organization":{"id":"o","name":"n"},"organization":{"slug":"s"}}]}`},
	{"a repeated data appends", `{"data":[{"id":"a"}],"data":[{"id":"b"}],"data":null}`},
	{"a repeated total_count: the last wins", `{"total_count":1,"total_count":2}`},
	{"null leaves values as they are", `{"data":[{"id":"a","id":null,"created_at":5,"created_at":null,"organization":{"has_image":true,"has_image":null,"members_count":2,"members_count":null}}]}`},
	{"null clears pointers and slices", `{"data":[{"permissions":["a"],"permissions":null,"organization":{"id":"o"},"organization":null,"public_user_data":{"first_name":"J","first_name":null}}]}`},
	{"null permissions elements", `{"data":[{"permissions":[null,"a"]},{"permissions":["a","b"],"permissions":[null]}]}`},
	{"empty permissions are not nil", `{"data":[{"permissions":[]}]}`},
	{"null elements are zero memberships", `{"data":[null,{"id":"a"},null]}`},
	{"escapes in strings are decoded", `{"data":[{"id":"a\"b\\c\/d\u00e9\ud83d\ude00\n","public_user_data":{"first_name":"Zo\u00eb"}}]}`},
	{"UTF-8 in strings", `{"data":[{"role_name":"Mitglied Ü","public_user_data":{"first_name":"José","last_name":"山田"}}]}`},
	{"invalid UTF-8 in strings is replaced", "{\"data\":[{\"role_name\":\"a\xffb\",\"public_user_data\":{\"first_name\":\"\xc3\"}}]}"},
	{"invalid UTF-8 in a key", "{\"data\":[{\"id\xff\":\"a\",\"id\":\"b\"}]}"},
	{"lone surrogates in strings are replaced", `{"data":[{"id":"\ud800x"}]}`},
	{"a control character in a string is an error", "{\"data\":[{\"id\":\"a\tb\"}]}"},
	{"a control character in a key is an error", "{\"data\":[{\"i\nd\":\"a\"}]}"},
	{"integers", `{"data":[{"created_at":-0,"updated_at":-9223372036854775808,"organization":{"members_count":9223372036854775807}}],"total_count":123456789012345678}`},
	{"an integer over int64 is an error", `{"data":[{"created_at":9223372036854775808}]}`},
	{"a fraction in an integer is an error", `{"data":[{"created_at":1.5}]}`},
	{"an exponent in an integer is an error", `{"data":[{"created_at":1e3}]}`},
	{"a whole fraction in an integer is an error", `{"data":[],"total_count":2.0}`},
	{"a string total_count is an error", `{"data":[],"total_count":"2"}`},
	{"a null total_count", `{"data":[],"total_count":null}`},
	{"a leading zero is an error", `{"data":[{"created_at":012}]}`},
	{"a leading plus is an error", `{"data":[{"created_at":+12}]}`},
	{"a string for a number is an error", `{"data":[{"created_at":"12"}]}`},
	{"a number for a string is an error", `{"data":[{"id":12}]}`},
	{"a bool for a string is an error", `{"data":[{"id":true}]}`},
	{"an object for a string array is an error", `{"data":[{"permissions":{}}]}`},
	{"a string for a bool is an error", `{"data":[{"organization":{"has_image":"true"}}]}`},
	{"an array for an organization is an error", `{"data":[{"organization":[]}]}`},
	{"a number element is an error", `{"data":[1]}`},
	{"a string element is an error", `{"data":["x"]}`},
	{"an array element is an error", `{"data":[[]]}`},
	{"data as an object is an error", `{"data":{}}`},
	{"data as a string is an error", `{"data":"x"}`},
	{"a bad literal for data is an error", `{"data":nul}`},
	{"a bad literal is an error", `{"data":[{"role_set_key":nulL}]}`},
	{"a bad true is an error", `{"data":[{"organization":{"has_image":tru}}]}`},
	{"a trailing comma in data is an error", `{"data":[{"id":"a"},]}`},
	{"a trailing comma in a membership is an error", `{"data":[{"id":"a",}]}`},
	{"a trailing comma in the envelope is an error", `{"data":[],}`},
	{"a leading comma is an error", `{"data":[,{"id":"a"}]}`},
	{"a missing comma is an error", `{"data":[{"id":"a" "role":"b"}]}`},
	{"a missing colon is an error", `{"data":[{"id" "a"}]}`},
	{"a missing value is an error", `{"data":[{"id":}]}`},
	{"a missing key quote is an error", `{"data":[{id:"a"}]}`},
	{"an unterminated string is an error", `{"data":[{"id":"a}]}`},
	{"an unclosed membership is an error", `{"data":[{"id":"a"]}`},
	{"an unclosed envelope is an error", `{"data":[]`},
	{"mismatched brackets are an error", `{"data":[{"public_metadata":{"a":[}]}]}`},
	{"an empty body is an error", ``},
	{"only white space is an error", "  \n "},
	{"null is an error", `null`},
	{"an array is an error", `[]`},
	{"a number is an error", `12`},
	{"trailing data after the page is not read", `{"data":[],"total_count":0} trailing garbage {`},
	{"a second page after the first is not read", `{"data":[]}{"data":[{"id":"x"}]}`},
	{"garbage inside is an error", `{"data":[{"id":"a"}x]}`},
	{"garbage after a literal is an error", `{"data":[{"organization":{"has_image":truex}}]}`},
	{"garbage after a number is an error", `{"data":[{"created_at":12x}]}`},
	{"a membership larger than the read buffer", page(clerkMembership(1, `{"big":"`+strings.Repeat("x", 3*readBufferSize)+`"}`), clerkMembership(2, `[]`))},
	{"many tiny memberships, past several buffers", `{"data":[` + strings.Repeat(`{},{"id":"a"},null,`, 20000) + `{}]}`},
	{"an unknown key larger than the read buffer", `{"next":"` + strings.Repeat("y", 3*readBufferSize) + `","data":[{"id":"a"}]}`},
}

func TestPageDecodingMatchesTheReference(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			assertDecodesLikeReference(t, []byte(tc.body))
		})
	}
}

// The cases above must mean what their names say, not merely agree.
func TestPageDecodingEdgeCases(t *testing.T) {
	decode := func(t *testing.T, body string) *OrganizationMemberships {
		t.Helper()
		p, err := assertDecodesLikeReference(t, []byte(body))
		require.NoError(t, err)
		return p
	}
	t.Run("unknown keys skipped", func(t *testing.T) {
		p := decode(t, `{"object":"list","data":[{"id":"a","new":{"x":[1]}}],"total_count":1}`)
		require.Len(t, p.Data, 1)
		assert.Equal(t, "a", p.Data[0].ID)
		assert.EqualValues(t, 1, p.TotalCount)
	})
	t.Run("null data is an empty page", func(t *testing.T) {
		p := decode(t, `{"data":null,"total_count":0}`)
		assert.Empty(t, p.Data)
	})
	t.Run("metadata raw and exact", func(t *testing.T) {
		meta := `{"z":9007199254740993,"a":{"y":1.50,"x":[ ]},"z":"dup"}`
		p := decode(t, page(clerkMembership(1, meta)))
		assert.Equal(t, meta, string(p.Data[0].PublicMetadata))
		assert.Equal(t, `{}`, string(p.Data[0].PrivateMetadata))
	})
	t.Run("case-insensitive keys", func(t *testing.T) {
		p := decode(t, `{"data":[{"ID":"a","Role_Name":"R","rolename":"no"}]}`)
		assert.Equal(t, "a", p.Data[0].ID)
		assert.Equal(t, "R", p.Data[0].RoleName)
	})
	t.Run("repeated keys", func(t *testing.T) {
		p := decode(t, `{"data":[{"id":"a","id":"b","organization":{"id":"o"},"organization":{"slug":"s"}}]}`)
		assert.Equal(t, "b", p.Data[0].ID)
		assert.Equal(t, Organization{ID: "o", Slug: "s"}, *p.Data[0].Organization)
	})
	t.Run("invalid UTF-8 replaced in strings", func(t *testing.T) {
		p := decode(t, "{\"data\":[{\"id\":\"a\xffb\"}]}")
		assert.Equal(t, "a\uFFFDb", p.Data[0].ID)
	})
	t.Run("trailing garbage not read", func(t *testing.T) {
		p := decode(t, `{"data":[{"id":"a"}]} garbage`)
		assert.Len(t, p.Data, 1)
	})
	t.Run("a page as Clerk sends it", func(t *testing.T) {
		p := decode(t, page(clerkMembership(7, `{"score":9007199254740993}`)))
		m := p.Data[0]
		jane, y := "Jane", "https://img.clerk.com/y"
		email, username := "jane@acme.com", "jane"
		assert.Equal(t, &OrganizationMembership{
			Object: "organization_membership", ID: "orgmem_000007", Role: "org:member", RoleName: "Member",
			Permissions:    []string{"org:sys_memberships:read", "org:posts:read"},
			PublicMetadata: json.RawMessage(`{"score":9007199254740993}`), PrivateMetadata: json.RawMessage(`{}`),
			Organization: &Organization{
				Object: "organization", ID: "org_1", Name: "Acme Corp", Slug: "acme-corp", ImageURL: "https://img.clerk.com/x",
				HasImage: true, MembersCount: 2048, PendingInvitationsCount: 3, MaxAllowedMemberships: 5000,
				AdminDeleteEnabled: true, PublicMetadata: json.RawMessage(`{}`), PrivateMetadata: json.RawMessage(`{}`),
				CreatedBy: "user_1", CreatedAt: 1716883200000, UpdatedAt: 1716883200000, LastActiveAt: 1716883200001,
			},
			PublicUserData: &OrganizationMembershipPublicUserData{
				UserID: "user_000007", FirstName: &jane, ProfileImageURL: &y, ImageURL: y, HasImage: true,
				Identifier: &email, Username: &username,
			},
			CreatedAt: 1716883200000, UpdatedAt: 1716883200002,
		}, m)
	})
}

func TestMalformedPagesAreErrors(t *testing.T) {
	for _, body := range []string{``, `{`, `{"data":[{"id":"a"}`, `{"data":[{"id":"a"},]}`, `{"data":[1]}`, `{"data":[{"id":1}]}`, `[]`, `{"data":[{"id":"a"}]`} {
		_, err := decodePage([]byte(body), whole)
		assert.Error(t, err, "body %q", body)
	}
}

// Every prefix of a page is an error, whatever the read boundaries: a body
// cut short never yields a page.
func TestTruncatedPagesAreErrors(t *testing.T) {
	body := []byte(page(clerkMembership(1, `{"a":[1,2.5,"x\"y"],"b":null}`), clerkMembership(2, `{}`)))
	for n := range len(body) - 1 {
		for _, wrap := range []func(io.Reader) io.Reader{whole, iotest.OneByteReader} {
			_, err := decodePage(body[:n], wrap)
			require.Error(t, err, "prefix of %d bytes", n)
		}
	}
	_, err := decodePage(body, whole)
	require.NoError(t, err)
}

// A body over the cap is errBodyTooLarge, never a page with what was read.
func TestPagesOverTheCapAreErrors(t *testing.T) {
	// A valid page of 32 MiB and a little more: one membership with big
	// metadata, then more memberships after the cap.
	big := clerkMembership(1, `{"big":"`+strings.Repeat("x", maxSuccessBody)+`"}`)
	body := []byte(page(clerkMembership(0, `{}`), big, clerkMembership(2, `{}`)))
	p := &OrganizationMemberships{}
	err := decodeBody(bytes.NewReader(body), p)
	assert.ErrorIs(t, err, errBodyTooLarge)

	// Many small memberships past the cap.
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	m := clerkMembership(1, `{}`)
	for i := 0; b.Len() <= maxSuccessBody; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m)
	}
	b.WriteString(`]}`)
	err = decodeBody(iotest.HalfReader(bytes.NewReader(b.Bytes())), &OrganizationMemberships{})
	assert.ErrorIs(t, err, errBodyTooLarge)

	// Trailing white space past the cap after a complete page is not read,
	// as before.
	pad := append([]byte(page(clerkMembership(1, `{}`))), bytes.Repeat([]byte(" "), maxSuccessBody)...)
	p = &OrganizationMemberships{}
	require.NoError(t, decodeBody(bytes.NewReader(pad), p))
	assert.Len(t, p.Data, 1)
}

// A read error in the middle of a page is returned, not a partial page.
func TestReadErrorsInAPageAreReturned(t *testing.T) {
	body := []byte(page(clerkMembership(1, `{}`), clerkMembership(2, `{}`)))
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(body[:len(body)/2]), iotest.ErrReader(boom))
	err := decodeBody(r, &OrganizationMemberships{})
	assert.ErrorIs(t, err, boom)
}

// The reader's buffer holds about one membership, never the page: a page of
// 500 with 4 KB of metadata each (2.6 MB) goes through the 64 KiB buffer
// without growing it.
func TestPageDecodingHoldsOneMembershipAtATime(t *testing.T) {
	members := make([]string, 500)
	meta := `{"notes":"` + strings.Repeat("n", 4<<10) + `"}`
	for i := range members {
		members[i] = clerkMembership(i, meta)
	}
	body := page(members...)
	r := &pageReader{buf: make([]byte, readBufferSize)}
	r.reset(&cappedReader{r: strings.NewReader(body), left: maxSuccessBody})
	p := &OrganizationMemberships{}
	require.NoError(t, p.decodeFrom(r))
	assert.Len(t, p.Data, 500)
	assert.Len(t, r.buf, readBufferSize, "the buffer grew")
}

// The fast parser must take memberships as Clerk sends them (else every
// membership would go through encoding/json, correctly but slowly), and
// hand over those it does not decode exactly as encoding/json would.
func TestTheFastParserTakesClerksShape(t *testing.T) {
	for _, meta := range []string{`{}`, `null`, `{"a":[1,-2.5e3,true,false,null,"x\"\u00e9"],"b":{"c":{}}}`, "\"caf\xc3\xa9\""} {
		b := []byte(clerkMembership(1, meta))
		p := parser{b: b}
		m := new(OrganizationMembership)
		require.True(t, p.membership(m), "membership with metadata %s", meta)
		assert.Equal(t, len(b), p.i)
		var want OrganizationMembership
		require.NoError(t, json.Unmarshal(b, &want))
		assert.Equal(t, &want, m)
	}
	b := []byte(clerkMembership(1, `{}`))
	for n := range len(b) {
		p := parser{b: b[:n]}
		require.False(t, p.membership(new(OrganizationMembership)), "prefix of %d bytes", n)
		require.True(t, p.short, "prefix of %d bytes", n)
	}
}

// The parser's lists of keys are the structs' JSON tags: a field added to
// a struct must be added to the parser too.
func TestTheFastParserKnowsEveryField(t *testing.T) {
	for _, tc := range []struct {
		v     any
		names []string
	}{
		{OrganizationMembership{}, membershipNames},
		{Organization{}, organizationNames},
		{OrganizationMembershipPublicUserData{}, publicUserDataNames},
	} {
		typ := reflect.TypeOf(tc.v)
		var tags []string
		for i := range typ.NumField() {
			tags = append(tags, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
		}
		assert.Equal(t, tags, tc.names, typ.Name())
	}
}

// FuzzPageDecodingMatchesTheReference holds the decoder to the reference on
// any body; its seeds run in every go test.
func FuzzPageDecodingMatchesTheReference(f *testing.F) {
	for _, tc := range decodeCases {
		if len(tc.body) < 4096 {
			f.Add([]byte(tc.body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		assertDecodesLikeReference(t, body)
	})
}

// A Create answer (one membership) still goes through encoding/json.
func TestSingleMembershipsDecodeAsBefore(t *testing.T) {
	b := []byte(clerkMembership(1, `{"score":9007199254740993}`))
	var got, want OrganizationMembership
	require.NoError(t, decodeBody(bytes.NewReader(b), &got))
	require.NoError(t, json.Unmarshal(b, &want))
	assert.Equal(t, want, got)
}

// pageDecoder is one way to decode a page from a body.
type pageDecoder struct {
	name   string
	decode func(io.Reader, *OrganizationMemberships) error
}

// pageDecoders are what BenchmarkDecodePage compares: the SDK's decoder,
// the json.Decoder token streaming it replaced, and io.ReadAll with
// json.Unmarshal.
var pageDecoders = []pageDecoder{
	{"sdk", func(r io.Reader, p *OrganizationMemberships) error { return decodeBody(r, p) }},
	{"tokens", func(r io.Reader, p *OrganizationMemberships) error {
		return referenceDecodeFrom(p, json.NewDecoder(bufio.NewReaderSize(r, 32<<10)))
	}},
	{"readall", func(r io.Reader, p *OrganizationMemberships) error {
		raw, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, p)
	}},
}

// BenchmarkDecodePage compares page decoders on the same bytes in memory,
// read in 16 KiB pieces as from a connection: only decoding is measured.
func BenchmarkDecodePage(b *testing.B) {
	for _, bc := range []struct {
		name      string
		n, metaKB int
	}{{"List100", 100, 0}, {"List500x4KB", 500, 4}} {
		members := make([]string, bc.n)
		for i := range members {
			meta := `{}`
			if bc.metaKB > 0 {
				meta = `{"notes":"` + strings.Repeat("n", bc.metaKB<<10) + `","score":9007199254740993}`
			}
			members[i] = clerkMembership(i, meta)
		}
		body := []byte(page(members...))
		b.Run(bc.name, func(b *testing.B) {
			for _, d := range pageDecoders {
				b.Run("impl="+d.name, func(b *testing.B) {
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for b.Loop() {
						p := &OrganizationMemberships{Data: make([]*OrganizationMembership, 0, bc.n)}
						if err := d.decode(&piecesReader{b: body, n: 16 << 10}, p); err != nil {
							b.Fatal(err)
						}
						if len(p.Data) != bc.n {
							b.Fatalf("%d memberships", len(p.Data))
						}
					}
				})
			}
		})
	}
}

// piecesReader reads b at most n bytes at a time.
type piecesReader struct {
	b []byte
	n int
}

func (r *piecesReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.n)], r.b)
	r.b = r.b[n:]
	return n, nil
}
