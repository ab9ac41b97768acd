#!/usr/bin/env python
from keyworker.manage import main

if __name__ == "__main__":
    main()
