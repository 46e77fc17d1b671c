package sf

import "fmt"

var (
	byName = map[string]*Field{}
	byCode [20][256]*Field
	all    []*Field
)

type option func(*Field)

func meta(m Meta) option { return func(f *Field) { f.Meta = m } }
func notSigning() option { return func(f *Field) { f.NotSigning = true } }

// def registers a field at package initialisation. A duplicate name or code
// is a programming error in the table and stops the program at start-up.
func def(name string, t Type, nth uint8, opts ...option) *Field {
	f := &Field{Name: name, Type: t, Nth: nth, Meta: MetaDefault}
	for _, o := range opts {
		o(f)
	}
	f.header = EncodeHeader(t, nth)
	if byName[name] != nil {
		panic(fmt.Sprintf("sf: duplicate field name %s", name))
	}
	if int(t) >= len(byCode) || byCode[t][nth] != nil {
		panic(fmt.Sprintf("sf: duplicate or invalid field code %d/%d (%s)", t, nth, name))
	}
	if nth == 0 || ((t == TypeObject || t == TypeArray) && nth == 1) {
		panic(fmt.Sprintf("sf: reserved field code %d/%d (%s)", t, nth, name))
	}
	byName[name] = f
	byCode[t][nth] = f
	all = append(all, f)
	return f
}

// ByName returns the field with the given JSON name, or nil.
func ByName(name string) *Field { return byName[name] }

// ByCode returns the field with the given type and number, or nil.
func ByCode(t Type, nth uint8) *Field {
	if int(t) >= len(byCode) {
		return nil
	}
	return byCode[t][nth]
}

// All returns every known field in table order. The slice must not be modified.
func All() []*Field { return all }
