package membersync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Metadata is handled as decoded JSON: objects are map[string]any, arrays
// []any, numbers json.Number, and strings, booleans and null as themselves.
// Desired maps are brought to that form by encoding and decoding them, so
// that any value encoding/json accepts (int, float64, structs, json.Number,
// json.RawMessage) compares with what Clerk stores.

// normalize turns a desired metadata map into decoded JSON. It fails when
// the map cannot be encoded as JSON, and when a key holds nil (or anything
// that encodes as null) at any depth of nested objects: Clerk's deep merge
// reads a null as "delete this key", so it cannot be stored.
func normalize(m map[string]any) (map[string]any, error) {
	out, err := toJSON(m)
	if err != nil {
		return nil, err
	}
	if path := findNull(out, ""); path != "" {
		return nil, fmt.Errorf("key %s is nil: Clerk deletes a key set to null instead of storing it; leave the key out", strconv.Quote(path))
	}
	return out, nil
}

// toJSON turns a map of Go values into decoded JSON by encoding and
// decoding it; a nil map stays nil.
func toJSON(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("cannot be encoded as JSON: %w", err)
	}
	return decodeObject(b)
}

// findNull returns the dotted path of the first key (in sorted order) whose
// value is null, looking through nested objects but not into arrays, whose
// elements Clerk stores as they are; "" when there is none.
func findNull(m map[string]any, prefix string) string {
	for _, k := range sortedKeys(m) {
		switch v := m[k].(type) {
		case nil:
			return prefix + k
		case map[string]any:
			if p := findNull(v, prefix+k+"."); p != "" {
				return p
			}
		}
	}
	return ""
}

// decodeObject decodes stored metadata. Empty input and null, which Clerk
// may send for metadata never set, are the empty object.
func decodeObject(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("is not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("is not valid JSON: data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("is a JSON %s, not an object", jsonType(v))
	}
	return m, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// mergePatch returns the smallest RFC 7386 merge patch that turns stored
// into desired, or nil when they are equal: a key of stored missing from
// desired maps to nil (delete), a key whose values are both objects maps to
// the patch between them, and any other key whose values differ maps to the
// desired value (arrays and scalars replace). desired must hold no null
// object member (see normalize); stored may.
func mergePatch(stored, desired map[string]any) map[string]any {
	var patch map[string]any
	set := func(k string, v any) {
		if patch == nil {
			patch = map[string]any{}
		}
		patch[k] = v
	}
	for k := range stored {
		if _, ok := desired[k]; !ok {
			set(k, nil)
		}
	}
	for k, want := range desired {
		have, ok := stored[k]
		if !ok {
			set(k, want)
			continue
		}
		wantObj, wantIsObj := want.(map[string]any)
		haveObj, haveIsObj := have.(map[string]any)
		switch {
		case wantIsObj && haveIsObj:
			if sub := mergePatch(haveObj, wantObj); sub != nil {
				set(k, sub)
			}
		case !jsonEqual(have, want):
			set(k, want)
		}
	}
	return patch
}

// patchHolds reports whether applying patch to current would leave it as
// it is, that is whether the patch has already taken effect.
func patchHolds(current, patch map[string]any) bool {
	for k, p := range patch {
		have, ok := current[k]
		switch p := p.(type) {
		case nil:
			if ok {
				return false
			}
		case map[string]any:
			haveObj, isObj := have.(map[string]any)
			if !isObj || !patchHolds(haveObj, p) {
				return false
			}
		default:
			if !ok || !jsonEqual(have, p) {
				return false
			}
		}
	}
	return true
}

// jsonEqual reports whether two decoded JSON values are equal: the same
// type, numbers of the same exact value, arrays equal element by element,
// objects with the same keys and equal values.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case json.Number:
		b, ok := b.(json.Number)
		return ok && numbersEqual(a, b)
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, jsonEqual)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

// numbersEqual reports whether two JSON numbers denote the same value,
// exactly: 1, 1.0, 1e0 and 10e-1 are equal; 9007199254740993 and
// 9007199254740992 are not, though they are the same float64.
func numbersEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	ca, okA := canonicalNumber(string(a))
	cb, okB := canonicalNumber(string(b))
	return okA && okB && ca == cb
}

// maxExponent bounds the exponents canonicalNumber handles, far beyond any
// number Clerk stores, so that its arithmetic cannot overflow.
const maxExponent = 1 << 50

// canonicalNumber writes a JSON number as sign, significant digits and
// exponent ("-12e3" for -12000, "0" for any zero), so that two numbers are
// equal exactly when their canonical forms are. ok is false for text that
// is not a JSON number or whose exponent exceeds maxExponent; such numbers
// are equal only to the same text.
func canonicalNumber(s string) (string, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mantissa, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := int64(0)
	if hasExp {
		e, err := strconv.ParseInt(strings.TrimPrefix(expText, "+"), 10, 64)
		if err != nil || e > maxExponent || e < -maxExponent {
			return "", false
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	digits := intPart + frac
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	exp -= int64(len(frac))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", true
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += int64(len(digits) - len(trimmed))
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.FormatInt(exp, 10), true
}

// patchPaths lists, in sorted order, the dotted paths a patch sets and the
// ones it deletes, for Plan.String: it shows which keys change, never their
// values, so that a printed plan carries no metadata.
func patchPaths(patch map[string]any, prefix string) (set, deleted []string) {
	for _, k := range sortedKeys(patch) {
		switch v := patch[k].(type) {
		case nil:
			deleted = append(deleted, prefix+k)
		case map[string]any:
			if len(v) == 0 {
				set = append(set, prefix+k)
				continue
			}
			s, d := patchPaths(v, prefix+k+".")
			set, deleted = append(set, s...), append(deleted, d...)
		default:
			set = append(set, prefix+k)
		}
	}
	return set, deleted
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
