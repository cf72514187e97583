#!/usr/bin/env node
import { launch } from "./launch.mjs";
await launch("dbatch-transform", "../src/transform-main.ts");
