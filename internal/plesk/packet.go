package plesk

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the wire types: what a request <packet> may contain and
// what an answer contains, with explicit XMLName and attribute tags. They
// are never domain types; ftpuser.go and webspace.go translate between the
// two.
//
// Request decoding keeps the order of the operators in a packet and of the
// operations in an operator (custom UnmarshalXML on the sequence types);
// the elements of one operation decode through plain struct tags, with an
// ",any" catch-all so that an element ftpuser.xsd does not have is refused
// (errcode 1014) instead of silently ignored.

// Limits on what a request may be.
const (
	// maxBodyBytes bounds the request body.
	maxBodyBytes = 4 << 20
	// maxDepth bounds element nesting; real packets are 5 or 6 deep.
	maxDepth = 32
	// maxElements bounds the number of elements in a packet.
	maxElements = 200_000
	// maxOperations bounds the operations (add, get, set, del of every
	// operator together) in a packet; a packet with more is refused whole
	// with errLimit before any runs, as Plesk refuses oversized requests.
	maxOperations = 1000
	// maxAnswerBytes caps the answer, which is written as it is made: once
	// it is reached, a get's remaining results become one error result and
	// the operations not yet run answer an error without running.
	maxAnswerBytes = 16 << 20
)

// requestPacket is a request <packet>.
type requestPacket struct {
	XMLName   xml.Name          `xml:"packet"`
	Version   *string           `xml:"version,attr"`
	Operators []requestOperator `xml:",any"`
}

// requestOperator is one child of <packet>: an operator such as <ftp-user>
// or <webspace>, with its operations in order.
type requestOperator struct {
	XMLName  xml.Name
	FTPUser  *ftpUserRequest
	Webspace *webspaceRequest
}

// UnmarshalXML decodes the operators ftpanel knows and refuses any other.
func (o *requestOperator) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	o.XMLName = start.Name
	switch start.Name.Local {
	case "ftp-user":
		o.FTPUser = &ftpUserRequest{}
		return d.DecodeElement(o.FTPUser, &start)
	case "webspace":
		o.Webspace = &webspaceRequest{}
		return d.DecodeElement(o.Webspace, &start)
	}
	return schemaErrorf("unknown operator <%s>", safeName(start.Name.Local))
}

// ftpUserRequest is <ftp-user> with any number and mix of operations.
type ftpUserRequest struct {
	XMLName    xml.Name       `xml:"ftp-user"`
	Operations []ftpUserOpReq `xml:",any"`
}

// ftpUserOpReq is one operation of <ftp-user>; exactly one field is set.
type ftpUserOpReq struct {
	Add *ftpUserAddReq
	Get *ftpUserGetReq
	Set *ftpUserSetReq
	Del *ftpUserDelReq
}

// UnmarshalXML decodes add, get, set or del and refuses anything else.
func (o *ftpUserOpReq) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var err error
	switch start.Name.Local {
	case "add":
		o.Add = &ftpUserAddReq{}
		if err = d.DecodeElement(o.Add, &start); err == nil {
			err = o.Add.check()
		}
	case "get":
		o.Get = &ftpUserGetReq{}
		if err = d.DecodeElement(o.Get, &start); err == nil {
			err = o.Get.check()
		}
	case "set":
		o.Set = &ftpUserSetReq{}
		if err = d.DecodeElement(o.Set, &start); err == nil {
			err = o.Set.check()
		}
	case "del":
		o.Del = &ftpUserDelReq{}
		if err = d.DecodeElement(o.Del, &start); err == nil {
			err = o.Del.check()
		}
	default:
		return schemaErrorf("unknown operation <%s> of <ftp-user>", safeName(start.Name.Local))
	}
	return err
}

// ftpUserAddReq is <ftp-user><add> (FtpUserAddInputType).
type ftpUserAddReq struct {
	XMLName           xml.Name        `xml:"add"`
	Name              *string         `xml:"name"`
	Password          *string         `xml:"password"`
	Home              *string         `xml:"home"`
	CreateNonExistent *string         `xml:"create-non-existent"`
	Quota             *string         `xml:"quota"`
	Permissions       *permissionsReq `xml:"permissions"`
	WebspaceID        *string         `xml:"webspace-id"`
	WebspaceName      *string         `xml:"webspace-name"`
	Unknown           []unknownElem   `xml:",any"`
}

func (a *ftpUserAddReq) check() error {
	if err := unknownIn("add", a.Unknown); err != nil {
		return err
	}
	if err := a.Permissions.check(); err != nil {
		return err
	}
	switch {
	case a.Name == nil:
		return schemaErrorf("<add> needs <name>")
	case a.Password == nil:
		return schemaErrorf("<add> needs <password>")
	case (a.WebspaceID == nil) == (a.WebspaceName == nil):
		return schemaErrorf("<add> needs exactly one of <webspace-id> and <webspace-name>")
	}
	return nil
}

// permissionsReq is <permissions> (FtpUserPermissions).
type permissionsReq struct {
	XMLName xml.Name      `xml:"permissions"`
	Read    *string       `xml:"read"`
	Write   *string       `xml:"write"`
	Unknown []unknownElem `xml:",any"`
}

func (p *permissionsReq) check() error {
	if p == nil {
		return nil
	}
	return unknownIn("permissions", p.Unknown)
}

// filterReq is <filter> (FtpUserFilterType, or the id/name part of the
// webspace filter): values of one kind, or none for "everything visible".
type filterReq struct {
	XMLName      xml.Name      `xml:"filter"`
	ID           []string      `xml:"id"`
	Name         []string      `xml:"name"`
	WebspaceID   []string      `xml:"webspace-id"`
	WebspaceName []string      `xml:"webspace-name"`
	Unknown      []unknownElem `xml:",any"`
}

// filterKind names the kind of a filter.
type filterKind string

// Filter kinds; filterAll is the empty <filter/>.
const (
	filterAll          filterKind = ""
	filterID           filterKind = "id"
	filterName         filterKind = "name"
	filterWebspaceID   filterKind = "webspace-id"
	filterWebspaceName filterKind = "webspace-name"
)

// kind returns the filter's kind and values; mixing kinds is a schema
// error.
func (f *filterReq) kind(op string) (filterKind, []string, error) {
	if err := unknownIn("filter", f.Unknown); err != nil {
		return "", nil, err
	}
	kind, values, n := filterAll, []string(nil), 0
	for _, k := range []struct {
		kind   filterKind
		values []string
	}{{filterID, f.ID}, {filterName, f.Name}, {filterWebspaceID, f.WebspaceID}, {filterWebspaceName, f.WebspaceName}} {
		if len(k.values) > 0 {
			kind, values = k.kind, k.values
			n++
		}
	}
	if n > 1 {
		return "", nil, schemaErrorf("the <filter> of <%s> mixes kinds: use one of id, name, webspace-id, webspace-name", op)
	}
	return kind, values, nil
}

// scopeReq is the optional webspace scope of get, set and del.
type scopeReq struct {
	WebspaceID   *string
	WebspaceName *string
}

func (s scopeReq) check(op string) error {
	if s.WebspaceID != nil && s.WebspaceName != nil {
		return schemaErrorf("<%s> takes <webspace-id> or <webspace-name>, not both", op)
	}
	return nil
}

// ftpUserGetReq is <ftp-user><get> (FtpUserGetInputType).
type ftpUserGetReq struct {
	XMLName      xml.Name      `xml:"get"`
	Filter       *filterReq    `xml:"filter"`
	WebspaceID   *string       `xml:"webspace-id"`
	WebspaceName *string       `xml:"webspace-name"`
	Unknown      []unknownElem `xml:",any"`
}

func (g *ftpUserGetReq) scope() scopeReq { return scopeReq{g.WebspaceID, g.WebspaceName} }

func (g *ftpUserGetReq) check() error {
	return checkFiltered("get", g.Unknown, g.Filter, g.scope())
}

// ftpUserSetReq is <ftp-user><set> (FtpUserSetInputType).
type ftpUserSetReq struct {
	XMLName      xml.Name      `xml:"set"`
	Filter       *filterReq    `xml:"filter"`
	Values       *setValuesReq `xml:"values"`
	WebspaceID   *string       `xml:"webspace-id"`
	WebspaceName *string       `xml:"webspace-name"`
	Unknown      []unknownElem `xml:",any"`
}

func (s *ftpUserSetReq) scope() scopeReq { return scopeReq{s.WebspaceID, s.WebspaceName} }

func (s *ftpUserSetReq) check() error {
	if err := checkFiltered("set", s.Unknown, s.Filter, s.scope()); err != nil {
		return err
	}
	if s.Values == nil {
		return schemaErrorf("<set> needs <values>")
	}
	if err := unknownIn("values", s.Values.Unknown); err != nil {
		return err
	}
	return s.Values.Permissions.check()
}

// setValuesReq is <set><values> (FtpUserSetType).
type setValuesReq struct {
	XMLName           xml.Name        `xml:"values"`
	Name              *string         `xml:"name"`
	Password          *string         `xml:"password"`
	Home              *string         `xml:"home"`
	CreateNonExistent *string         `xml:"create-non-existent"`
	Quota             *string         `xml:"quota"`
	Permissions       *permissionsReq `xml:"permissions"`
	Unknown           []unknownElem   `xml:",any"`
}

// ftpUserDelReq is <ftp-user><del> (FtpUserDelInputType).
type ftpUserDelReq struct {
	XMLName      xml.Name      `xml:"del"`
	Filter       *filterReq    `xml:"filter"`
	WebspaceID   *string       `xml:"webspace-id"`
	WebspaceName *string       `xml:"webspace-name"`
	Unknown      []unknownElem `xml:",any"`
}

func (r *ftpUserDelReq) scope() scopeReq { return scopeReq{r.WebspaceID, r.WebspaceName} }

func (r *ftpUserDelReq) check() error {
	return checkFiltered("del", r.Unknown, r.Filter, r.scope())
}

func checkFiltered(op string, unknown []unknownElem, f *filterReq, scope scopeReq) error {
	if err := unknownIn(op, unknown); err != nil {
		return err
	}
	if f == nil {
		return schemaErrorf("<%s> needs <filter>", op)
	}
	if _, _, err := f.kind(op); err != nil {
		return err
	}
	return scope.check(op)
}

// webspaceRequest is <webspace>; ftpanel answers only <get>.
type webspaceRequest struct {
	XMLName    xml.Name        `xml:"webspace"`
	Operations []webspaceOpReq `xml:",any"`
}

// webspaceOpReq is one operation of <webspace>.
type webspaceOpReq struct {
	Get *webspaceGetReq
}

// UnmarshalXML decodes get and refuses anything else.
func (o *webspaceOpReq) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if start.Name.Local != "get" {
		return schemaErrorf("operation <%s> of <webspace> is not supported", safeName(start.Name.Local))
	}
	o.Get = &webspaceGetReq{}
	if err := d.DecodeElement(o.Get, &start); err != nil {
		return err
	}
	return o.Get.check()
}

// webspaceGetReq is <webspace><get>: a filter by id or name (or empty),
// and a dataset of which only gen_info is answered.
type webspaceGetReq struct {
	XMLName xml.Name      `xml:"get"`
	Filter  *filterReq    `xml:"filter"`
	Dataset *datasetReq   `xml:"dataset"`
	Unknown []unknownElem `xml:",any"`
}

func (g *webspaceGetReq) check() error {
	if err := unknownIn("get", g.Unknown); err != nil {
		return err
	}
	if g.Filter == nil {
		return schemaErrorf("<get> needs <filter>")
	}
	kind, _, err := g.Filter.kind("get")
	if err != nil {
		return err
	}
	if kind != filterAll && kind != filterID && kind != filterName {
		return schemaErrorf("the <filter> of <webspace><get> supports id and name only")
	}
	return nil
}

// datasetReq is <dataset>; other parts than gen_info are not answered.
type datasetReq struct {
	XMLName xml.Name  `xml:"dataset"`
	GenInfo *struct{} `xml:"gen_info"`
}

// unknownElem catches an element a type does not define.
type unknownElem struct {
	XMLName xml.Name
}

func unknownIn(parent string, u []unknownElem) error {
	if len(u) == 0 {
		return nil
	}
	return schemaErrorf("unexpected element <%s> in <%s>", safeName(u[0].XMLName.Local), parent)
}

// schemaError is a request that is not well-formed XML or does not follow
// the schema: the whole packet is refused with errcode 1014.
type schemaError struct {
	msg  string
	code int // the system errcode; 0 = errParse
}

func (e *schemaError) Error() string { return e.msg }

// errCode is the system errcode the error answers.
func (e *schemaError) errCode() int {
	if e.code == 0 {
		return errParse
	}
	return e.code
}

func schemaErrorf(format string, args ...any) error {
	return &schemaError{msg: fmt.Sprintf(format, args...)}
}

// safeName shortens a client-supplied element name for an error text.
func safeName(s string) string {
	if len(s) > 64 {
		s = s[:64]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// limitedTokens is an xml.TokenReader that enforces maxDepth and
// maxElements on the tokens of d.
type limitedTokens struct {
	d          *xml.Decoder
	depth      int
	elements   int
	operations int
	// What came before the first element: anything at all, and text
	// (not white space), to say why a body without <packet> is refused.
	sawToken, sawText bool
}

// Token returns the next token of the underlying decoder or an error when
// a limit is crossed.
func (l *limitedTokens) Token() (xml.Token, error) {
	t, err := l.d.Token()
	if err != nil {
		return t, err
	}
	switch t := t.(type) {
	case xml.CharData:
		if l.elements == 0 && len(bytes.TrimSpace(t)) > 0 {
			l.sawText = true
		}
	case xml.ProcInst, xml.Comment, xml.Directive:
		l.sawToken = true
	case xml.StartElement:
		l.depth++
		l.elements++
		if l.depth > maxDepth {
			return nil, schemaErrorf("elements are nested more than %d deep", maxDepth)
		}
		if l.elements > maxElements {
			return nil, schemaErrorf("more than %d elements", maxElements)
		}
		if l.depth == 3 { // packet > operator > operation
			if l.operations++; l.operations > maxOperations {
				return nil, &schemaError{code: errLimit, msg: fmt.Sprintf(
					"the packet holds more than %d operations: send at most %d per packet", maxOperations, maxOperations)}
			}
		}
	case xml.EndElement:
		l.depth--
	}
	return t, nil
}

// decodePacket parses a request body. Every error is a *schemaError.
func decodePacket(r io.Reader) (*requestPacket, error) {
	inner := xml.NewDecoder(r)
	inner.CharsetReader = charsetReader
	lt := &limitedTokens{d: inner}
	d := xml.NewTokenDecoder(lt)
	var p requestPacket
	if err := d.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			switch {
			case lt.sawText:
				return nil, schemaErrorf("the request is not XML: it holds text where the <packet> element should be " +
					"(post the XML packet itself as the body, with Content-Type text/xml)")
			case lt.sawToken:
				return nil, schemaErrorf("the request holds no <packet> element")
			}
			return nil, schemaErrorf("the request is empty: expected a <packet>")
		}
		return nil, decodeError(err)
	}
	// Read to the end, so that the size limit holds and nothing but
	// comments and white space follows the packet.
	for {
		t, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, decodeError(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			return nil, schemaErrorf("element <%s> after </packet>", safeName(t.Name.Local))
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, schemaErrorf("text after </packet>")
			}
		}
	}
	if len(p.Operators) == 0 {
		return nil, schemaErrorf("the <packet> holds no operator")
	}
	for _, o := range p.Operators {
		if (o.FTPUser != nil && len(o.FTPUser.Operations) == 0) || (o.Webspace != nil && len(o.Webspace.Operations) == 0) {
			return nil, schemaErrorf("<%s> holds no operation", o.XMLName.Local)
		}
	}
	return &p, nil
}

// decodeError turns a decoding error into a *schemaError.
func decodeError(err error) error {
	var se *schemaError
	switch {
	case errors.As(err, &se):
		return se
	case errBodyTooLarge(err):
		return schemaErrorf("the packet is larger than %d bytes", maxBodyBytes)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return schemaErrorf("malformed XML: unexpected end of the packet")
	}
	return schemaErrorf("malformed XML: %s", strings.TrimPrefix(err.Error(), "xml: "))
}

// charsetReader accepts the encodings besides UTF-8 that a client may
// declare: US-ASCII and ISO-8859-1 (a subset of UTF-8 and a byte-to-rune
// map).
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "utf8":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return &latin1Reader{r: in}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", label)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if cap(l.buf) == 0 {
			l.buf = make([]byte, 4096)
		}
		n, err := l.r.Read(l.buf[:cap(l.buf)])
		for _, b := range l.buf[:n] {
			l.out = utf8.AppendRune(l.out, rune(b))
		}
		if n == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// parseBool parses xs:boolean: true, false, 1 or 0, with surrounding
// white space.
func parseBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// parseInt parses an xs:integer that fits in int64.
func parseInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// Answer types.

// responsePacket is an answer <packet> holding only a system error; other
// answers are written as they are made (answerWriter).
type responsePacket struct {
	XMLName xml.Name `xml:"packet"`
	Version string   `xml:"version,attr"`
	System  *systemResponse
}

// systemResponse is <system>: an error that stopped the whole packet.
type systemResponse struct {
	XMLName xml.Name `xml:"system"`
	Status  string   `xml:"status"`
	ErrCode int      `xml:"errcode"`
	ErrText string   `xml:"errtext"`
}

// ftpUserAddResult is the result of an add.
type ftpUserAddResult struct {
	XMLName xml.Name `xml:"result"`
	Status  string   `xml:"status"`
	ErrCode int      `xml:"errcode,omitempty"`
	ErrText string   `xml:"errtext,omitempty"`
	ID      int64    `xml:"id,omitempty"`
}

// ftpUserGetResult is FtpUserGetResultType.
type ftpUserGetResult struct {
	XMLName     xml.Name        `xml:"result"`
	Status      string          `xml:"status"`
	ErrCode     int             `xml:"errcode,omitempty"`
	ErrText     string          `xml:"errtext,omitempty"`
	FilterID    *string         `xml:"filter-id"`
	ID          int64           `xml:"id,omitempty"`
	Name        string          `xml:"name,omitempty"`
	Home        *string         `xml:"home"`
	Quota       *int64          `xml:"quota"`
	Permissions *permissionsOut `xml:"permissions"`
	WebspaceID  int64           `xml:"webspace-id,omitempty"`
}

// permissionsOut is <permissions> in an answer.
type permissionsOut struct {
	XMLName xml.Name `xml:"permissions"`
	Read    bool     `xml:"read"`
	Write   bool     `xml:"write"`
}

// filteredResult is resultFilterType: the result of set or del on one
// account.
type filteredResult struct {
	XMLName  xml.Name `xml:"result"`
	Status   string   `xml:"status"`
	ErrCode  int      `xml:"errcode,omitempty"`
	ErrText  string   `xml:"errtext,omitempty"`
	FilterID *string  `xml:"filter-id"`
	ID       int64    `xml:"id,omitempty"`
}

// errorResult is a <result> that only reports an error: an operation not
// run, or results left out, because the answer reached its cap.
type errorResult struct {
	XMLName xml.Name `xml:"result"`
	Status  string   `xml:"status"`
	ErrCode int      `xml:"errcode"`
	ErrText string   `xml:"errtext"`
}

// webspaceGetResult is the result for one site.
type webspaceGetResult struct {
	XMLName  xml.Name      `xml:"result"`
	Status   string        `xml:"status"`
	ErrCode  int           `xml:"errcode,omitempty"`
	ErrText  string        `xml:"errtext,omitempty"`
	FilterID *string       `xml:"filter-id"`
	ID       int64         `xml:"id,omitempty"`
	Data     *webspaceData `xml:"data"`
}

// webspaceData is <data> of a webspace result.
type webspaceData struct {
	XMLName xml.Name         `xml:"data"`
	GenInfo *webspaceGenInfo `xml:"gen_info"`
}

// webspaceGenInfo is the part of gen_info ftpanel knows.
type webspaceGenInfo struct {
	XMLName      xml.Name `xml:"gen_info"`
	CrDate       string   `xml:"cr_date"`
	Name         string   `xml:"name"`
	ASCIIName    string   `xml:"ascii-name"`
	Status       int      `xml:"status"`
	DNSIPAddress string   `xml:"dns_ip_address,omitempty"`
	HType        string   `xml:"htype"`
	WebspaceID   int64    `xml:"webspace-id"`
}

// filterIDOf is the <filter-id> of a result: the filter value it answers,
// shown even when empty (<filter-id></filter-id>), or none (nil) for a
// result of the empty filter that names no object.
func filterIDOf(v string, none bool) *string {
	if none {
		return nil
	}
	return &v
}

// Result statuses.
const (
	statusOK    = "ok"
	statusError = "error"
)

// encodePacket writes the XML declaration and p; indent makes it readable
// (the HTTP_PRETTY_PRINT header).
func encodePacket(w io.Writer, p *responsePacket, indent bool) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("plesk: write answer: %w", err)
	}
	e := xml.NewEncoder(w)
	if indent {
		e.Indent("", "  ")
	}
	if err := e.Encode(p); err != nil {
		return fmt.Errorf("plesk: encode answer: %w", err)
	}
	if err := e.Close(); err != nil {
		return fmt.Errorf("plesk: encode answer: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
