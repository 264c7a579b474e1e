//go:build go1.27

package clerk

import (
	"encoding/json"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"fmt"
	"io"
)

// On Go 1.27, BenchmarkDecodePage also measures the decoder issue 10
// suggested: jsontext streaming with json/v2's UnmarshalDecode per
// membership, under encoding/json's v1 options. It was measured, not chosen
// (see BENCHMARKS.md); it stays here as a yardstick.
func init() {
	pageDecoders = append(pageDecoders, pageDecoder{"jsontext", jsontextDecode})
}

func jsontextDecode(r io.Reader, p *OrganizationMemberships) error {
	dec := jsontext.NewDecoder(&cappedReader{r: r, left: maxSuccessBody}, json.DefaultOptionsV1())
	if tok, err := dec.ReadToken(); err != nil {
		return err
	} else if tok.Kind() != '{' {
		return fmt.Errorf("expected {, got %v", tok)
	}
	for dec.PeekKind() != '}' {
		key, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch key.String() {
		case "data":
			if dec.PeekKind() == 'n' {
				if _, err := dec.ReadToken(); err != nil {
					return err
				}
				continue
			}
			if tok, err := dec.ReadToken(); err != nil {
				return err
			} else if tok.Kind() != '[' {
				return fmt.Errorf("data: expected an array, got %v", tok)
			}
			for dec.PeekKind() != ']' {
				m := new(OrganizationMembership)
				if err := jsonv2.UnmarshalDecode(dec, m); err != nil {
					return err
				}
				p.Data = append(p.Data, m)
			}
			if _, err := dec.ReadToken(); err != nil {
				return err
			}
		case "total_count":
			if err := jsonv2.UnmarshalDecode(dec, &p.TotalCount); err != nil {
				return err
			}
		default:
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	_, err := dec.ReadToken()
	return err
}
