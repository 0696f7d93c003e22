// Command write-vectors writes the vectors of package govectors to a folder,
// for the TypeScript and Python cross-language tests to decode.
//
//	go run ./internal/cmd/write-vectors -out DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/x-sfu/x-sfu/bindings/go/internal/govectors"
)

func main() {
	out := flag.String("out", "", "folder to write the vectors to")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "write-vectors: -out DIR is required")
		os.Exit(2)
	}
	n, err := govectors.Write(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "write-vectors:", err)
		os.Exit(1)
	}
	fmt.Printf("go: wrote %d vectors to %s\n", n, *out)
}
