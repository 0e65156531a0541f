package h1

// MaxChunkLine bounds a chunk-size line, extensions included (bytes before
// its line end).
const MaxChunkLine = 1024

// MaxTrailers bounds the trailer section, its final empty line included.
const MaxTrailers = DefaultMaxHead

// Chunked follows a chunked body as it passes through unchanged (no
// de-chunking, RFC 9112 section 7.1). Its zero value is ready for a new
// body. It is owned by the goroutine that forwards the body.
type Chunked struct {
	state  chunkState
	digits uint8  // hexadecimal digits of the current size
	size   uint64 // current chunk size while reading it, then bytes of data left
	line   int    // bytes of the current size line, or of the trailer section
	fields int    // trailer fields seen
	err    *Error // sticky once set
}

type chunkState uint8

const (
	csSize         chunkState = iota // first byte of a size line
	csSizeDigits                     // in the hexadecimal size
	csSizeBWS                        // whitespace after the size: only ';' may follow
	csExtPreName                     // after ';'
	csExtName                        // in an extension name
	csExtPostName                    // whitespace after a name
	csExtPreValue                    // after '='
	csExtValue                       // in a token value
	csExtQuoted                      // in a quoted-string value
	csExtQuotedEsc                   // after a backslash in a quoted-string
	csExtPostQuote                   // after the closing quote
	csExtPostValue                   // whitespace after a value
	csSizeLF                         // CR of the size line seen
	csData                           // in chunk data
	csDataCR                         // data done: CR expected
	csDataLF                         // LF expected after the data
	csTrailerStart                   // first byte of a trailer line (or of the final empty line)
	csTrailerName                    // in a trailer field name
	csTrailerValue                   // in a trailer field value
	csTrailerLF                      // CR of a trailer line seen
	csEndLF                          // CR of the final empty line seen
	csDone                           // the body ended
	csError                          // err is set
)

// Reset prepares c for a new body.
func (c *Chunked) Reset() { *c = Chunked{} }

// Done reports whether the last chunk and its trailer section ended.
func (c *Chunked) Done() bool { return c.state == csDone }

// Scan consumes the chunked-body bytes at the start of p and returns how
// many belong to the message (n <= len(p)); done is true once the last
// chunk and its trailer section ended (n then stops right after the final
// line end, so the following bytes are the next message). Bytes can arrive
// split anywhere, including inside a chunk-size line. Malformed input
// returns one of the predefined request errors (callers use ForResponse
// for a response); n is then the offset of the offending byte, and every
// later call returns the same error. Chunk-size and trailer lines accept a
// bare LF as line end, as HAProxy does; chunk data must be followed by
// CRLF exactly. Scan never allocates.
func (c *Chunked) Scan(p []byte) (n int, done bool, err error) {
	if c.state == csError {
		return 0, false, c.err
	}
	i := 0
	for i < len(p) {
		if c.state == csData {
			left := uint64(len(p) - i)
			if c.size < left {
				left = c.size
			}
			i += int(left)
			c.size -= left
			if c.size == 0 {
				c.state = csDataCR
			}
			continue
		}
		if c.state == csDone {
			return i, true, nil
		}
		if cd := c.step(p[i]); cd != cOK {
			c.state, c.err = csError, &reqErrs[cd]
			return i, false, c.err
		}
		i++
	}
	return i, c.state == csDone, nil
}

// step advances the state machine by one byte outside chunk data.
func (c *Chunked) step(b byte) code {
	switch c.state {
	case csSize, csSizeDigits, csSizeBWS, csExtPreName, csExtName, csExtPostName,
		csExtPreValue, csExtValue, csExtQuoted, csExtQuotedEsc, csExtPostQuote, csExtPostValue, csSizeLF:
		c.line++
		if c.line > MaxChunkLine+2 {
			return cChunkLineTooLong
		}
		return c.sizeLine(b)
	case csDataCR:
		if b != '\r' {
			return cChunkCRLF
		}
		c.state = csDataLF
	case csDataLF:
		if b != '\n' {
			return cChunkCRLF
		}
		c.state, c.line, c.digits, c.size = csSize, 0, 0, 0
	default:
		c.line++
		if c.line > MaxTrailers {
			return cTrailersTooLarge
		}
		return c.trailer(b)
	}
	return cOK
}

// sizeLine handles one byte of a chunk-size line:
// chunk-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] ) CRLF.
func (c *Chunked) sizeLine(b byte) code {
	switch c.state {
	case csSize, csSizeDigits:
		if v := hexVal[b]; v != 0xff {
			if c.digits == 16 {
				return cChunkSize
			}
			c.digits++
			c.size = c.size<<4 | uint64(v)
			c.state = csSizeDigits
			return cOK
		}
		if c.state == csSize || c.size > 1<<63-1 {
			return cChunkSize
		}
		switch b {
		case ' ', '\t':
			c.state = csSizeBWS
		case ';':
			c.state = csExtPreName
		default:
			return c.sizeLineEnd(b, cChunkSize)
		}
	case csSizeBWS:
		switch b {
		case ' ', '\t':
		case ';':
			c.state = csExtPreName
		default:
			return cChunkSize
		}
	case csExtPreName:
		switch {
		case isOWS(b):
		case charClass[b]&isToken != 0:
			c.state = csExtName
		default:
			return cChunkExt
		}
	case csExtName, csExtValue:
		switch {
		case charClass[b]&isToken != 0:
		case isOWS(b):
			if c.state == csExtName {
				c.state = csExtPostName
			} else {
				c.state = csExtPostValue
			}
		case b == ';':
			c.state = csExtPreName
		case b == '=' && c.state == csExtName:
			c.state = csExtPreValue
		default:
			return c.sizeLineEnd(b, cChunkExt)
		}
	case csExtPostName:
		switch b {
		case ' ', '\t':
		case '=':
			c.state = csExtPreValue
		case ';':
			c.state = csExtPreName
		default:
			return cChunkExt
		}
	case csExtPreValue:
		switch {
		case isOWS(b):
		case b == '"':
			c.state = csExtQuoted
		case charClass[b]&isToken != 0:
			c.state = csExtValue
		default:
			return cChunkExt
		}
	case csExtQuoted:
		switch {
		case b == '"':
			c.state = csExtPostQuote
		case b == '\\':
			c.state = csExtQuotedEsc
		case charClass[b]&isQText == 0:
			return cChunkExt
		}
	case csExtQuotedEsc:
		if charClass[b]&isValue == 0 {
			return cChunkExt
		}
		c.state = csExtQuoted
	case csExtPostQuote:
		switch b {
		case ' ', '\t':
			c.state = csExtPostValue
		case ';':
			c.state = csExtPreName
		default:
			return c.sizeLineEnd(b, cChunkExt)
		}
	case csExtPostValue:
		switch b {
		case ' ', '\t':
		case ';':
			c.state = csExtPreName
		default:
			return cChunkExt
		}
	case csSizeLF:
		if b != '\n' {
			return cChunkSize
		}
		c.endSizeLine()
	}
	return cOK
}

// sizeLineEnd accepts CR or LF ending a size line; any other byte is the
// error bad.
func (c *Chunked) sizeLineEnd(b byte, bad code) code {
	switch b {
	case '\r':
		c.state = csSizeLF
	case '\n':
		c.endSizeLine()
	default:
		return bad
	}
	return cOK
}

func (c *Chunked) endSizeLine() {
	c.line = 0
	if c.size == 0 {
		c.state, c.fields = csTrailerStart, 0
		return
	}
	c.state = csData
}

// trailer handles one byte of the trailer section, whose fields follow
// the rules of header fields (no obs-fold, no whitespace before the colon,
// no CTL but HTAB in values).
func (c *Chunked) trailer(b byte) code {
	switch c.state {
	case csTrailerStart:
		switch {
		case b == '\r':
			c.state = csEndLF
		case b == '\n':
			c.state = csDone
		case charClass[b]&isToken != 0:
			if c.fields == MaxHeaders-1 {
				return cTrailer
			}
			c.fields++
			c.state = csTrailerName
		default:
			return cTrailer
		}
	case csTrailerName:
		switch {
		case b == ':':
			c.state = csTrailerValue
		case charClass[b]&isToken == 0:
			return cTrailer
		}
	case csTrailerValue:
		switch {
		case b == '\r':
			c.state = csTrailerLF
		case b == '\n':
			c.state = csTrailerStart
		case charClass[b]&isValue == 0:
			return cTrailer
		}
	case csTrailerLF:
		if b != '\n' {
			return cTrailer
		}
		c.state = csTrailerStart
	case csEndLF:
		if b != '\n' {
			return cTrailer
		}
		c.state = csDone
	}
	return cOK
}
