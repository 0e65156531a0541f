package stick

// DataType is a value an entry can store ("stick-table ... store"). The
// order is the order "show table" prints them in.
type DataType uint8

const (
	ServerID DataType = iota
	GPT0
	GPC0
	GPC0Rate
	ConnCnt
	ConnRate
	ConnCur
	SessCnt
	SessRate
	HTTPReqCnt
	HTTPReqRate
	HTTPErrCnt
	HTTPErrRate
	BytesInCnt
	BytesInRate
	BytesOutCnt
	BytesOutRate
	GPC1
	GPC1Rate
	ServerKey
	NumDataTypes
)

// dataKind is how a data type is stored and printed.
type dataKind uint8

const (
	kindSInt dataKind = iota // 32-bit signed
	kindUInt                 // 32-bit unsigned, wraps
	kindULL                  // 64-bit unsigned
	kindFreq                 // period frequency counter, takes a period
	kindDict                 // a string (server_key)
)

var dataInfo = [NumDataTypes]struct {
	name string
	kind dataKind
}{
	ServerID:     {"server_id", kindSInt},
	GPT0:         {"gpt0", kindUInt},
	GPC0:         {"gpc0", kindUInt},
	GPC0Rate:     {"gpc0_rate", kindFreq},
	ConnCnt:      {"conn_cnt", kindUInt},
	ConnRate:     {"conn_rate", kindFreq},
	ConnCur:      {"conn_cur", kindUInt},
	SessCnt:      {"sess_cnt", kindUInt},
	SessRate:     {"sess_rate", kindFreq},
	HTTPReqCnt:   {"http_req_cnt", kindUInt},
	HTTPReqRate:  {"http_req_rate", kindFreq},
	HTTPErrCnt:   {"http_err_cnt", kindUInt},
	HTTPErrRate:  {"http_err_rate", kindFreq},
	BytesInCnt:   {"bytes_in_cnt", kindULL},
	BytesInRate:  {"bytes_in_rate", kindFreq},
	BytesOutCnt:  {"bytes_out_cnt", kindULL},
	BytesOutRate: {"bytes_out_rate", kindFreq},
	GPC1:         {"gpc1", kindUInt},
	GPC1Rate:     {"gpc1_rate", kindFreq},
	ServerKey:    {"server_key", kindDict},
}

// String returns the data type's configuration name.
func (d DataType) String() string {
	if d < NumDataTypes {
		return dataInfo[d].name
	}
	return "?"
}

// IsRate reports whether d is a frequency counter, which takes a period.
func (d DataType) IsRate() bool { return d < NumDataTypes && dataInfo[d].kind == kindFreq }

// IsString reports whether d holds a string rather than a number.
func (d DataType) IsString() bool { return d < NumDataTypes && dataInfo[d].kind == kindDict }

// ParseDataType returns the data type named s.
func ParseDataType(s string) (DataType, bool) {
	for i := range dataInfo {
		if dataInfo[i].name == s {
			return DataType(i), true
		}
	}
	return 0, false
}

// Store is one stored data type; Period (milliseconds) is set for rates.
type Store struct {
	Type   DataType
	Period int64
}

// slots is the number of uint64 an entry uses for data type d.
func slots(d DataType) int {
	switch dataInfo[d].kind {
	case kindFreq:
		return 3 // period start, current, previous
	case kindDict:
		return 0 // Entry.srvKey
	}
	return 1
}

// freqUpdate adds inc to the counter at v (start, current, previous) of
// period p at date now, rotating periods first.
func freqUpdate(v []uint64, p, now int64, inc uint64) {
	freqRotate(v, p, now)
	v[1] += inc
}

func freqRotate(v []uint64, p, now int64) {
	if p <= 0 {
		return
	}
	start := int64(v[0])
	if d := now - start; d >= p {
		n := d / p
		if n == 1 {
			v[2] = v[1]
		} else {
			v[2] = 0
		}
		v[1] = 0
		v[0] = uint64(start + n*p)
	}
}

// freqRead returns the events per period at date now: the current
// period's count plus the previous one's, weighted by the part of the
// previous period still inside the sliding window.
func freqRead(v []uint64, p, now int64) uint64 {
	if p <= 0 {
		return v[1]
	}
	curr, prev := v[1], v[2]
	remain := int64(v[0]) + p - now
	if remain < 0 {
		remain += p
		if remain < 0 {
			return 0
		}
		prev, curr = curr, 0
	}
	if remain > p {
		remain = p
	}
	return curr + prev*uint64(remain)/uint64(p)
}
