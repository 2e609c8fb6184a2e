package negative

import "io"

func writeAll(pw *io.PipeWriter, lines []string) {
	defer pw.Close()
	for _, ln := range lines {
		if _, err := io.WriteString(pw, ln); err != nil {
			return
		}
	}
}
