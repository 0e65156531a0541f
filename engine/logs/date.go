package logs

import "time"

var monthNames = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10%10), byte('0'+v%10))
}

func append4(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendDate prints "02/Jan/2006:15:04:05" in t's location.
func appendDate(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = append2(dst, day)
	dst = append(dst, '/')
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, '/')
	dst = append4(dst, year)
	dst = append(dst, ':')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	return append2(dst, sec)
}

// appendDateMs prints %t and %tr: "02/Jan/2006:15:04:05.000".
func appendDateMs(dst []byte, t time.Time) []byte {
	dst = appendDate(dst, t)
	ms := t.Nanosecond() / 1e6
	return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

// appendDateZone prints %T %Tl %trg %trl: "02/Jan/2006:15:04:05 -0700".
func appendDateZone(dst []byte, t time.Time) []byte {
	dst = appendDate(dst, t)
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, ' ', sign)
	dst = append2(dst, off/3600)
	return append2(dst, off/60%60)
}

// appendLegacyTime appends "Mmm dd hh:mm:ss ", the day padded with a
// space.
func appendLegacyTime(dst []byte, t time.Time) []byte {
	_, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = append(dst, monthNames[month-1]...)
	dst = append(dst, ' ')
	if day < 10 {
		dst = append(dst, ' ', byte('0'+day))
	} else {
		dst = append2(dst, day)
	}
	dst = append(dst, ' ')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	return append(dst, ' ')
}

// appendISOTime appends "2006-01-02T15:04:05.000000+07:00 ".
func appendISOTime(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	dst = append4(dst, year)
	dst = append(dst, '-')
	dst = append2(dst, int(month))
	dst = append(dst, '-')
	dst = append2(dst, day)
	dst = append(dst, 'T')
	dst = append2(dst, hour)
	dst = append(dst, ':')
	dst = append2(dst, min)
	dst = append(dst, ':')
	dst = append2(dst, sec)
	dst = append(dst, '.')
	us := t.Nanosecond() / 1000
	for div := 100000; div > 0; div /= 10 {
		dst = append(dst, byte('0'+us/div%10))
	}
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	dst = append(dst, sign)
	dst = append2(dst, off/3600)
	dst = append(dst, ':')
	dst = append2(dst, off/60%60)
	return append(dst, ' ')
}
