from octodesk.cli import main

raise SystemExit(main())
