package membersync

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// applyMergePatch is RFC 7386's MergePatch, written from the RFC's
// pseudocode, independently of mergePatch: the reference its patches are
// checked against. Clerk's deep merge behaves the same way.
func applyMergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	out := map[string]any{}
	for k, v := range t {
		out[k] = v
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = applyMergePatch(out[k], v)
		}
	}
	return out
}

func mustDecode(t testing.TB, s string) map[string]any {
	t.Helper()
	m, err := decodeObject([]byte(s))
	require.NoError(t, err)
	return m
}

func TestMergePatchIsTheSmallestPatchThatMakesStoredEqualDesired(t *testing.T) {
	tests := []struct {
		name, stored, desired, patch string // patch "null": none
	}{
		{"equal objects need no patch", `{"a":{"b":[1,{"c":2}]},"d":"x"}`, `{"d":"x","a":{"b":[1,{"c":2}]}}`, `null`},
		{"the RFC's example from API.md", `{"a":{"b":1,"c":2},"d":3}`, `{"a":{"c":2},"d":3,"e":4}`, `{"a":{"b":null},"e":4}`},
		{"a removed key is deleted", `{"a":1}`, `{}`, `{"a":null}`},
		{"a new key is set", `{}`, `{"a":{"b":1}}`, `{"a":{"b":1}}`},
		{"an emptied object is patched key by key", `{"a":{"x":1,"y":2}}`, `{"a":{}}`, `{"a":{"x":null,"y":null}}`},
		{"an array that differs is replaced whole", `{"a":[1,2,3]}`, `{"a":[1,2]}`, `{"a":[1,2]}`},
		{"an array of objects is replaced whole", `{"a":[{"x":1}]}`, `{"a":[{"x":1,"y":2}]}`, `{"a":[{"x":1,"y":2}]}`},
		{"a scalar turning into an object is set whole", `{"a":1}`, `{"a":{"b":2}}`, `{"a":{"b":2}}`},
		{"an object turning into a scalar is set", `{"a":{"b":2}}`, `{"a":1}`, `{"a":1}`},
		{"a stored null is deleted", `{"a":null}`, `{}`, `{"a":null}`},
		{"a stored null becomes a value", `{"a":null}`, `{"a":0}`, `{"a":0}`},
		{"the same number in another form is equal", `{"a":100,"b":-0.5}`, `{"a":1e2,"b":-5E-1}`, `null`},
		{"numbers past 2^53 differ by one", `{"a":9007199254740993}`, `{"a":9007199254740992}`, `{"a":9007199254740992}`},
		{"true is not 1", `{"a":1}`, `{"a":true}`, `{"a":true}`},
		{"deep changes stay deep", `{"a":{"b":{"c":{"d":1,"e":2}}}}`, `{"a":{"b":{"c":{"d":1,"e":3}}}}`, `{"a":{"b":{"c":{"e":3}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored, desired := mustDecode(t, tt.stored), mustDecode(t, tt.desired)
			patch := mergePatch(stored, desired)
			if tt.patch == "null" {
				assert.Nil(t, patch)
			} else {
				assert.True(t, jsonEqual(mustDecode(t, tt.patch), patch), "patch %v, want %s", patch, tt.patch)
			}
			got := applyMergePatch(stored, orEmpty(patch))
			assert.True(t, jsonEqual(desired, got), "merging the patch gives %v", got)
			assert.True(t, patchHolds(got.(map[string]any), orEmpty(patch)), "the patch holds once merged")
			if patch != nil {
				assert.False(t, patchHolds(stored, patch), "the patch does not hold before")
			}
		})
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func TestNumbersEqualComparesExactValues(t *testing.T) {
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"1", "1.0", true},
		{"1", "1e0", true},
		{"1", "10e-1", true},
		{"1500", "1.5e3", true},
		{"1500", "1.5E+3", true},
		{"0", "-0.0", true},
		{"0", "0e5", true},
		{"-2", "-2.00", true},
		{"0.1", "1e-1", true},
		{"9007199254740993", "9007199254740992", false},
		{"123456789012345678901234567890", "123456789012345678901234567891", false},
		{"123456789012345678901234567890", "1.2345678901234567890123456789e29", true},
		{"1", "-1", false},
		{"1", "2", false},
		{"1e99999999999999999999", "1e99999999999999999999", true}, // same text
		{"1e99999999999999999999", "10e99999999999999999998", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+" and "+tt.b, func(t *testing.T) {
			assert.Equal(t, tt.equal, numbersEqual(json.Number(tt.a), json.Number(tt.b)))
			assert.Equal(t, tt.equal, numbersEqual(json.Number(tt.b), json.Number(tt.a)))
		})
	}
}

func TestPatchHoldsComparesValuesNotJustKeys(t *testing.T) {
	current := mustDecode(t, `{"a":{"b":1},"c":[1],"d":"x"}`)
	assert.True(t, patchHolds(current, mustDecode(t, `{"a":{"b":1.0},"c":[1],"gone":null}`)))
	assert.False(t, patchHolds(current, mustDecode(t, `{"a":{"b":2}}`)))
	assert.False(t, patchHolds(current, mustDecode(t, `{"c":[1,2]}`)))
	assert.False(t, patchHolds(current, mustDecode(t, `{"d":null}`)))
	assert.False(t, patchHolds(current, mustDecode(t, `{"d":{"e":1}}`)))
	assert.False(t, patchHolds(current, mustDecode(t, `{"new":1}`)))
}

func TestDecodeObjectReadsStoredMetadata(t *testing.T) {
	for _, empty := range []string{"", "null", "  ", "{}"} {
		m, err := decodeObject([]byte(empty))
		require.NoError(t, err)
		assert.Equal(t, map[string]any{}, m, "%q", empty)
	}
	for raw, msg := range map[string]string{
		`[1]`:      "is a JSON array, not an object",
		`"x"`:      "is a JSON string, not an object",
		`{"a":1}x`: "is not valid JSON: data after the object",
		`{"a":`:    "is not valid JSON: unexpected EOF",
	} {
		_, err := decodeObject([]byte(raw))
		assert.EqualError(t, err, msg, raw)
	}
}

// FuzzMergePatch checks, for any two JSON objects, that merging the patch
// into the first gives the second, and that the patch is empty exactly when
// they are equal.
func FuzzMergePatch(f *testing.F) {
	f.Add(`{"a":{"b":1,"c":2},"d":3}`, `{"a":{"c":2},"d":3,"e":4}`)
	f.Add(`{"a":[1,{"b":null}]}`, `{"a":{"b":[]}}`)
	f.Add(`{"n":1.0}`, `{"n":1}`)
	f.Add(`{}`, `{"x":{"y":{"z":"w"}}}`)
	f.Fuzz(func(t *testing.T, storedJSON, desiredJSON string) {
		stored, err := decodeObject([]byte(storedJSON))
		if err != nil {
			return
		}
		desired, err := decodeObject([]byte(desiredJSON))
		if err != nil || findNull(desired, "") != "" {
			return // Plan refuses null object members in desired metadata
		}
		for _, v := range []map[string]any{stored, desired} {
			if !validNumbers(v) {
				return
			}
		}
		patch := mergePatch(stored, desired)
		got := applyMergePatch(stored, orEmpty(patch))
		if !jsonEqual(desired, got) {
			t.Fatalf("merging %v into %s gives %v, want %s", patch, storedJSON, got, desiredJSON)
		}
		if (patch == nil) != jsonEqual(stored, desired) {
			t.Fatalf("patch %v for equal=%v", patch, jsonEqual(stored, desired))
		}
		if !patchHolds(got.(map[string]any), orEmpty(patch)) {
			t.Fatalf("patch %v does not hold after merging", patch)
		}
	})
}

// validNumbers reports whether every number in v has an exponent that
// canonicalNumber handles; others compare by text only.
func validNumbers(v any) bool {
	switch v := v.(type) {
	case json.Number:
		_, ok := canonicalNumber(string(v))
		return ok
	case []any:
		for _, e := range v {
			if !validNumbers(e) {
				return false
			}
		}
	case map[string]any:
		for _, e := range v {
			if !validNumbers(e) {
				return false
			}
		}
	}
	return true
}
