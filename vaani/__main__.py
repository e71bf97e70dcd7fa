from vaani.cli import main

raise SystemExit(main())
