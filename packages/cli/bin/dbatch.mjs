#!/usr/bin/env node
import { launch } from "./launch.mjs";
await launch("dbatch", "../src/dbatch-main.ts");
